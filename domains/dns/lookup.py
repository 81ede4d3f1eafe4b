"""Live DNS lookups over the wire with dnspython, against DNS_NAMESERVERS or the system's resolvers.

Every outcome a broken or hostile DNS answer can produce comes back as a LookupResult with a status
(never an exception): NXDOMAIN, SERVFAIL/REFUSED, timeouts, truncated UDP answers (retried over TCP
by dnspython's udp_with_fallback), CNAME chains (followed within the answer and by re-asking, at most
MAX_CNAME_HOPS, loops detected) and TXT records split into several strings (joined, as RFC 7208 does).
"""

from dataclasses import dataclass, field
from functools import lru_cache

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.resolver
from django.conf import settings

MAX_CNAME_HOPS = 8
# A TXT answer bigger than this is not a verification record; refuse to hold more in memory.
MAX_TXT_BYTES = 65535

OK = "ok"
NXDOMAIN = "nxdomain"
NODATA = "nodata"
SERVFAIL = "servfail"
TIMEOUT = "timeout"
LOOP = "loop"
ERROR = "error"


@dataclass
class LookupResult:
    status: str
    name: str
    rdtype: str
    # Text of each record: TXT strings joined; MX "priority host"; CNAME/NS/A/AAAA as presented.
    values: list[str] = field(default_factory=list)
    rdatas: list = field(default_factory=list)
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == OK


@lru_cache(maxsize=1)
def _system_nameservers() -> tuple[tuple[str, int], ...]:
    try:
        resolver = dns.resolver.Resolver(configure=True)
    except dns.resolver.NoResolverConfiguration:
        return ()
    return tuple((str(ns), 53) for ns in resolver.nameservers)


def nameservers() -> list[tuple[str, int]]:
    return list(settings.DNS_NAMESERVERS) or list(_system_nameservers())


def _ask(qname: dns.name.Name, rdtype, timeout: float):
    """(response, None) from the first server that answers, or (None, status) when none does."""
    query = dns.message.make_query(qname, rdtype, use_edns=0, payload=1232)
    query.flags |= dns.flags.RD
    last = (None, TIMEOUT)
    servers = nameservers()
    if not servers:
        return None, ERROR
    for host, port in servers:
        try:
            response, _used_tcp = dns.query.udp_with_fallback(query, host, timeout=timeout, port=port)
        except dns.exception.Timeout:
            last = (None, TIMEOUT)
            continue
        except (OSError, EOFError, dns.exception.DNSException):
            last = (None, ERROR)
            continue
        rcode = response.rcode()
        if rcode in (dns.rcode.SERVFAIL, dns.rcode.REFUSED, dns.rcode.NOTIMP):
            last = (None, SERVFAIL)
            continue  # another server may know better
        return response, None
    return last


def _text(rdata, rdtype) -> str:
    if rdtype == dns.rdatatype.TXT:
        return b"".join(rdata.strings).decode("utf-8", "replace")
    if rdtype == dns.rdatatype.MX:
        return f"{rdata.preference} {rdata.exchange.to_text(omit_final_dot=True).lower()}"
    if rdtype in (dns.rdatatype.CNAME, dns.rdatatype.NS):
        return rdata.target.to_text(omit_final_dot=True).lower()
    if rdtype == dns.rdatatype.SRV:
        return f"{rdata.priority} {rdata.weight} {rdata.port} {rdata.target.to_text(omit_final_dot=True).lower()}"
    return rdata.to_text()


def lookup(name: str, rdtype: str, *, timeout: float | None = None) -> LookupResult:
    """Records of `rdtype` at `name`, following CNAMEs."""
    timeout = timeout or settings.DNS_TIMEOUT_SECONDS
    wanted = dns.rdatatype.from_text(rdtype)
    try:
        target = dns.name.from_text(name)
    except dns.exception.DNSException as exc:
        return LookupResult(ERROR, name, rdtype, detail=str(exc))
    seen: set[dns.name.Name] = set()
    while True:
        response, failure = _ask(target, wanted, timeout)
        if failure:
            return LookupResult(failure, name, rdtype)
        current = target
        while True:
            rrset = response.get_rrset(response.answer, current, dns.rdataclass.IN, wanted)
            if rrset is not None:
                values = [_text(rdata, wanted) for rdata in rrset]
                if wanted == dns.rdatatype.TXT and sum(len(v) for v in values) > MAX_TXT_BYTES:
                    return LookupResult(ERROR, name, rdtype, detail="TXT answer too large")
                return LookupResult(OK, name, rdtype, values=values, rdatas=list(rrset))
            if wanted == dns.rdatatype.CNAME:
                break
            cname = response.get_rrset(response.answer, current, dns.rdataclass.IN, dns.rdatatype.CNAME)
            if cname is None:
                break
            if current in seen or len(seen) >= MAX_CNAME_HOPS:
                return LookupResult(LOOP, name, rdtype, detail=current.to_text())
            seen.add(current)
            current = cname[0].target
        if current == target:
            if response.rcode() == dns.rcode.NXDOMAIN:
                return LookupResult(NXDOMAIN, name, rdtype)
            return LookupResult(NODATA, name, rdtype)
        # The chain leaves the answer (an authoritative server answers only for its own zone): ask again.
        if current in seen or len(seen) >= MAX_CNAME_HOPS:
            return LookupResult(LOOP, name, rdtype, detail=current.to_text())
        target = current

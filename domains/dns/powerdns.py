"""A small client for PowerDNS's HTTP API: make the zone on the server equal to the zone in our database.

Idempotent: every push REPLACEs each rrset we hold and DELETEs the ones we no longer hold (SOA and
the apex NS are PowerDNS's), so running it twice, or after a failed run, gives the same zone.
"""

import json
import urllib.error
import urllib.request
from collections import defaultdict

from django.conf import settings

from domains.dns.zonefile import rdata_text

MANAGED_TYPES = {"A", "AAAA", "CNAME", "MX", "TXT", "SRV"}


class PowerDnsError(Exception):
    pass


def configured() -> bool:
    return bool(settings.PDNS_API_URL and settings.PDNS_API_KEY)


def _call(method: str, path: str, body=None, *, timeout: float = 10.0):
    url = f"{settings.PDNS_API_URL.rstrip('/')}/api/v1/servers/{settings.PDNS_SERVER_ID}{path}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={
        "X-API-Key": settings.PDNS_API_KEY, "Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = response.read()
            return response.status, (json.loads(payload) if payload else None)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:300]
        if exc.code == 404:
            return 404, None
        raise PowerDnsError(f"PowerDNS answered {exc.code}: {detail}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise PowerDnsError(f"PowerDNS cannot be reached: {exc}") from None


def _zone_id(domain_name: str) -> str:
    return domain_name + "."


def push_zone(domain, records) -> None:
    """Create the zone when missing, then replace its rrsets with ours."""
    zone = _zone_id(domain.name)
    status, current = _call("GET", f"/zones/{zone}")
    if status == 404:
        _call("POST", "/zones", {"name": zone, "kind": "Native",
                                 "nameservers": [n + "." for n in settings.OUR_NAME_SERVERS]})
        current = {"rrsets": []}
    wanted = defaultdict(list)
    ttls = {}
    for record in records:
        key = (record.name if record.name != "@" else "", record.type)
        wanted[key].append(rdata_text(record))
        ttls[key] = min(ttls.get(key, record.ttl), record.ttl)
    rrsets = []
    for (name, rtype), contents in wanted.items():
        rrsets.append({"name": (f"{name}." if name else "") + zone, "type": rtype, "ttl": ttls[(name, rtype)],
                       "changetype": "REPLACE",
                       "records": [{"content": c, "disabled": False} for c in sorted(set(contents))]})
    wanted_names = {(r["name"], r["type"]) for r in rrsets}
    for rrset in (current or {}).get("rrsets", []):
        if rrset["type"] in MANAGED_TYPES and (rrset["name"], rrset["type"]) not in wanted_names:
            rrsets.append({"name": rrset["name"], "type": rrset["type"], "changetype": "DELETE"})
    if rrsets:
        _call("PATCH", f"/zones/{zone}", {"rrsets": rrsets})


def delete_zone(domain_name: str) -> None:
    status, _body = _call("DELETE", f"/zones/{_zone_id(domain_name)}")
    # 404: already gone, which is what we wanted.

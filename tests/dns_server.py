"""An in-process DNS server on 127.0.0.1 for tests and benchmarks (dnslib wire format, UDP and TCP).

A test sets records with `add(name, type, value, ...)` and can make names misbehave:
`servfail(name)`, `timeout(name)` (no answer at all), `truncate(name)` (UDP answers carry TC and no
data, TCP answers are complete). CNAMEs are followed inside the answer like an authoritative server
does (`follow_cnames=False` makes the client ask again); loops stop after 20 hops. Answers that do not
fit the client's UDP size (512, or its EDNS size) are truncated, so huge TXT records go over TCP.
"""

import socket
import socketserver
import struct
import threading
from collections import defaultdict

from dnslib import AAAA, CNAME, MX, NS, QTYPE, RCODE, RR, SRV, TXT, A, DNSRecord


def _key(name: str) -> str:
    return name.lower().rstrip(".") + "."


class Zone:
    def __init__(self):
        self.records: dict[str, list[RR]] = defaultdict(list)
        self.behaviour: dict[str, str] = {}
        self.follow_cnames = True
        self.queries = 0
        self.lock = threading.Lock()

    def clear(self):
        with self.lock:
            self.records.clear()
            self.behaviour.clear()
            self.follow_cnames = True
            self.queries = 0

    def add(self, name: str, rtype: str, value, *, ttl: int = 3600, priority: int = 10, weight: int = 1, port: int = 443):
        name = _key(name)
        if rtype == "TXT":
            # A list is one record of several strings (how long TXT values are published).
            rdata = TXT(value if isinstance(value, list) else [value])
        elif rtype == "MX":
            rdata = MX(_key(value), priority)
        elif rtype == "CNAME":
            rdata = CNAME(_key(value))
        elif rtype == "NS":
            rdata = NS(_key(value))
        elif rtype == "A":
            rdata = A(value)
        elif rtype == "AAAA":
            rdata = AAAA(value)
        elif rtype == "SRV":
            rdata = SRV(priority, weight, port, _key(value))
        else:
            raise ValueError(rtype)
        with self.lock:
            self.records[name].append(RR(name, getattr(QTYPE, rtype), rdata=rdata, ttl=ttl))

    def servfail(self, name):
        self.behaviour[_key(name)] = "servfail"

    def timeout(self, name):
        self.behaviour[_key(name)] = "timeout"

    def truncate(self, name):
        self.behaviour[_key(name)] = "truncate"

    def answer(self, data: bytes, *, tcp: bool) -> bytes | None:
        with self.lock:
            self.queries += 1
        request = DNSRecord.parse(data)
        reply = request.reply()
        qname = _key(str(request.q.qname))
        qtype = request.q.qtype
        mode = self.behaviour.get(qname)
        if mode == "timeout":
            return None
        if mode == "servfail":
            reply.header.rcode = RCODE.SERVFAIL
            return reply.pack()
        with self.lock:
            name, hops, known = qname, 0, False
            while hops < 20:
                rrs = self.records.get(name, [])
                known = known or bool(rrs) or name != qname
                matching = [rr for rr in rrs if rr.rtype == qtype]
                if matching:
                    reply.rr.extend(matching)
                    break
                cnames = [rr for rr in rrs if rr.rtype == QTYPE.CNAME]
                if not cnames or qtype == QTYPE.CNAME:
                    break
                reply.rr.append(cnames[0])
                name = _key(str(cnames[0].rdata.label))
                hops += 1
                if not self.follow_cnames:
                    break
            if not known and not any(key.endswith("." + qname) for key in self.records):
                reply.header.rcode = RCODE.NXDOMAIN
        packed = reply.pack()
        limit = 512
        for rr in request.ar:
            if rr.rtype == QTYPE.OPT:
                limit = max(512, rr.rclass)
        if not tcp and (mode == "truncate" or len(packed) > limit):
            reply.rr = []
            reply.header.tc = 1
            packed = reply.pack()
        return packed


class _UDP(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        answer = self.server.zone.answer(data, tcp=False)
        if answer is not None:
            sock.sendto(answer, self.client_address)


class _TCP(socketserver.BaseRequestHandler):
    def handle(self):
        header = self.request.recv(2)
        if len(header) < 2:
            return
        (length,) = struct.unpack("!H", header)
        data = b""
        while len(data) < length:
            chunk = self.request.recv(length - len(data))
            if not chunk:
                return
            data += chunk
        answer = self.server.zone.answer(data, tcp=True)
        if answer is not None:
            self.request.sendall(struct.pack("!H", len(answer)) + answer)


class _ThreadedUDP(socketserver.ThreadingMixIn, socketserver.UDPServer):
    daemon_threads = True


class _ThreadedTCP(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class DnsServer:
    """Start with `start()`; `port`, `zone`; `stop()` at the end."""

    def __init__(self):
        self.zone = Zone()
        self.port = None
        self._servers = []

    def start(self):
        for _attempt in range(20):
            udp = _ThreadedUDP(("127.0.0.1", 0), _UDP)
            port = udp.server_address[1]
            try:
                tcp = _ThreadedTCP(("127.0.0.1", port), _TCP)
            except OSError:
                udp.server_close()
                continue
            break
        else:
            raise RuntimeError("no free port pair for the test DNS server")
        udp.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        for server in (udp, tcp):
            server.zone = self.zone
            threading.Thread(target=server.serve_forever, daemon=True).start()
        self._servers = [udp, tcp]
        self.port = port
        return self

    def stop(self):
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def __getattr__(self, name):
        return getattr(self.zone, name)

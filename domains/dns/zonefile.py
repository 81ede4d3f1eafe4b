"""BIND zone file of a hosted zone (the embedded default keeps zones in the database)."""

from django.conf import settings


def _quote_txt(text: str) -> str:
    # RFC 1035: a character-string holds at most 255 bytes; longer TXT values are split into several.
    raw = text.encode("utf-8")
    parts = [raw[i:i + 255].decode("utf-8", "ignore") for i in range(0, len(raw), 255)] or [""]
    return " ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in parts)


def rdata_text(record) -> str:
    rtype, value = record.type, record.value
    if rtype in ("CNAME", "MX", "SRV"):
        value = value.rstrip(".") + "."
    if rtype == "MX":
        return f"{record.priority} {value}"
    if rtype == "SRV":
        return f"{record.priority} {record.weight} {record.port} {value}"
    if rtype == "TXT":
        return _quote_txt(value)
    return value


def zone_file(domain, records) -> str:
    origin = domain.name + "."
    ns = [n + "." for n in settings.OUR_NAME_SERVERS]
    lines = [
        f"$ORIGIN {origin}",
        "$TTL 3600",
        f"@ 3600 IN SOA {ns[0]} hostmaster.{origin} {domain.zone_serial} 3600 600 1209600 300",
    ]
    lines += [f"@ 3600 IN NS {n}" for n in ns]
    for record in records:
        lines.append(f"{record.name} {record.ttl} IN {record.type} {rdata_text(record)}")
    return "\n".join(lines) + "\n"

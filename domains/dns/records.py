"""Record rules: the service records of SPEC domains/ "Name servers" and validation of custom records."""

import ipaddress
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

TTL_MIN = 300
TTL_MAX = 604800
TXT_MAX = 2048
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


def service_records(domain) -> list[dict]:
    """The records a hosted domain needs (and the table shown when the admin keeps their DNS host)."""
    dashed = domain.name.replace(".", "-")
    sip = settings.SERVICE_SIP_HOST
    records = [
        {"name": "@", "type": "MX", "value": f"{dashed}.{settings.SERVICE_MAIL_HOST}", "priority": 0,
         "purpose": _("Mail routing")},
        {"name": "autodiscover", "type": "CNAME", "value": f"autodiscover.{settings.SERVICE_HOST}",
         "purpose": _("Mail client set-up")},
        {"name": "@", "type": "TXT", "value": f"v=spf1 include:{settings.SERVICE_SPF_INCLUDE} -all",
         "purpose": _("SPF: which servers may send mail for the domain")},
        {"name": "_sip._tls", "type": "SRV", "value": sip, "priority": 100, "weight": 1, "port": 443,
         "purpose": _("Instant messaging")},
        {"name": "_sipfederationtls._tcp", "type": "SRV", "value": f"sipfed.{sip}", "priority": 100, "weight": 1,
         "port": 5061, "purpose": _("IM federation with other organizations")},
        {"name": "sip", "type": "CNAME", "value": sip, "purpose": _("Instant messaging sign-in")},
        {"name": "lyncdiscover", "type": "CNAME", "value": f"webdir.{sip}", "purpose": _("IM client set-up")},
    ]
    if domain.website == "hosted":
        records += [
            {"name": "@", "type": "A", "value": settings.WEBSITE_IP, "purpose": _("Public website")},
            {"name": "www", "type": "CNAME", "value": settings.WEBSITE_HOST, "purpose": _("Public website")},
        ]
    elif domain.website == "external" and domain.website_ip:
        records.append({"name": "@", "type": "A", "value": domain.website_ip, "purpose": _("Website at another host")})
        if domain.website_host:
            records.append({"name": "www", "type": "CNAME", "value": domain.website_host,
                            "purpose": _("Website at another host")})
    for record in records:
        record.setdefault("priority", None)
        record.setdefault("weight", None)
        record.setdefault("port", None)
        record["ttl"] = 3600
    return records


def fqdn(domain_name: str, name: str) -> str:
    return domain_name if name == "@" else f"{name}.{domain_name}"


def _valid_host(value: str) -> bool:
    value = value.lower().rstrip(".")
    return 0 < len(value) <= 253 and "." in value and all(_HOST_LABEL.match(p) for p in value.split("."))


def clean_record(*, domain_name: str, data: dict, others: list[dict]) -> dict:
    """The record ready to store, or ValidationError per field. `others`: the zone's other records."""
    errors = {}
    rtype = (data.get("type") or "").upper()
    name = (data.get("name") or "").strip().lower().rstrip(".") or "@"
    if name == domain_name:
        name = "@"
    elif name.endswith("." + domain_name):
        name = name[: -len(domain_name) - 1]
    value = (data.get("value") or "").strip()
    ttl = data.get("ttl") if data.get("ttl") is not None else 3600
    priority, weight, port = data.get("priority"), data.get("weight"), data.get("port")
    if rtype not in {"A", "AAAA", "CNAME", "MX", "TXT", "SRV"}:
        errors["type"] = _("Choose A, AAAA, CNAME, MX, TXT or SRV.")
    if name != "@" and (len(name) + len(domain_name) + 1 > 253 or not all(_HOST_LABEL.match(p) for p in name.split("."))):
        errors["name"] = _("Use @ or a name made of letters, digits, hyphens and underscores, such as www.")
    if not isinstance(ttl, int) or not TTL_MIN <= ttl <= TTL_MAX:
        errors["ttl"] = _("The TTL must be between %(min)s and %(max)s seconds.") % {"min": TTL_MIN, "max": TTL_MAX}
    if rtype == "A":
        try:
            value = str(ipaddress.IPv4Address(value))
        except ValueError:
            errors["value"] = _("An A record needs an IPv4 address such as 203.0.113.10.")
    elif rtype == "AAAA":
        try:
            value = str(ipaddress.IPv6Address(value))
        except ValueError:
            errors["value"] = _("An AAAA record needs an IPv6 address such as 2001:db8::10.")
    elif rtype in ("CNAME", "MX", "SRV"):
        value = value.lower().rstrip(".")
        if not _valid_host(value):
            errors["value"] = _("Type a host name such as mail.contoso.com.")
    elif rtype == "TXT":
        if not value or len(value) > TXT_MAX or not value.isprintable():
            errors["value"] = _("The text must have 1 to %(max)s printable characters.") % {"max": TXT_MAX}
    if rtype in ("MX", "SRV"):
        if priority is None or not 0 <= priority <= 65535:
            errors["priority"] = _("The priority must be a number from 0 to 65535.")
    else:
        priority = None
    if rtype == "SRV":
        if weight is None or not 0 <= weight <= 65535:
            errors["weight"] = _("The weight must be a number from 0 to 65535.")
        if port is None or not 1 <= port <= 65535:
            errors["port"] = _("The port must be a number from 1 to 65535.")
        if "name" not in errors and not re.match(r"^_[a-z0-9-]+\._(tcp|udp|tls)(\.|$)", name):
            errors["name"] = _("An SRV record's name is _service._protocol, such as _sip._tls.")
    else:
        weight = port = None
    if rtype == "CNAME" and name == "@":
        errors["name"] = _("The domain itself (@) cannot have a CNAME record; use an A record.")
    if not errors:
        same_name = [o for o in others if o["name"] == name]
        if rtype == "CNAME" and same_name:
            errors["name"] = _("%(name)s already has other records; a CNAME cannot sit beside other data.") % {"name": name}
        elif any(o["type"] == "CNAME" for o in same_name):
            errors["name"] = _("%(name)s has a CNAME record; no other record can sit beside it.") % {"name": name}
        elif any(o["type"] == rtype and o["value"].lower() == value.lower() for o in same_name):
            errors["value"] = _("This record already exists.")
    if errors:
        raise ValidationError(errors)
    return {"type": rtype, "name": name, "value": value, "ttl": ttl, "priority": priority, "weight": weight, "port": port}

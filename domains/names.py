"""Domain-name rules (SPEC domains/ "Add a domain"): IDN to punycode, lengths, the Public Suffix List.

The PSL comes from the snapshot shipped inside the publicsuffixlist package: no network access at
run time, and the same answer on every machine of one release.
"""

import re

import idna
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from publicsuffixlist import PublicSuffixList

# accept_unknown=False: a made-up top-level domain has no public suffix and is refused.
_PSL = PublicSuffixList(only_icann=True, accept_unknown=False)
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
MAX_NAME = 253
MAX_LABEL = 63


def to_unicode(name: str) -> str:
    try:
        return idna.decode(name)
    except idna.IDNAError:
        return name


def to_ascii(text: str) -> str:
    """The name in lower-case punycode, or ValidationError with a plain reason."""
    name = (text or "").strip().rstrip(".").lower()
    if not name:
        raise ValidationError(_("Type a domain name, such as contoso.com."), code="required")
    if "://" in name or "/" in name or "@" in name or " " in name:
        raise ValidationError(_("Type only the domain name, such as contoso.com (no http://, no e-mail address)."),
                              code="invalid")
    labels = name.split(".")
    if any(len(label) > MAX_LABEL for label in labels):
        raise ValidationError(_("Each part of a domain name between dots can have at most 63 characters."),
                              code="label_length")
    try:
        ascii_name = name if name.isascii() else idna.encode(name, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise ValidationError(_("%(name)s is not a valid international domain name.") % {"name": text},
                              code="invalid") from None
    if len(ascii_name) > MAX_NAME:
        raise ValidationError(_("A domain name can have at most 253 characters."), code="length")
    labels = ascii_name.split(".")
    if len(labels) < 2 and _PSL.publicsuffix(ascii_name) == ascii_name:
        raise ValidationError(_("%(name)s is a public suffix (like com or co.uk): add a name registered under it, "
                                "such as contoso.%(name)s.") % {"name": ascii_name}, code="public_suffix")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValidationError(_("Use only letters, digits and hyphens, with dots between the parts "
                                "(a part cannot start or end with a hyphen)."), code="invalid")
    if any(len(label) > MAX_LABEL for label in labels):
        raise ValidationError(_("Each part of a domain name between dots can have at most 63 characters."),
                              code="label_length")
    return ascii_name


def registrable_part(ascii_name: str) -> str | None:
    """The name directly under a public suffix (contoso.co.uk for a.b.contoso.co.uk); None for a suffix."""
    return _PSL.privatesuffix(ascii_name)


def check_registrable(ascii_name: str, *, subdomains_allowed: bool) -> None:
    """SPEC plan rule: small-business plans take second-level names only; enterprise plans also sub-domains."""
    suffix = _PSL.publicsuffix(ascii_name)
    if suffix is None:
        tld = ascii_name.rsplit(".", 1)[-1]
        raise ValidationError(_("%(tld)s is not a known top-level domain.") % {"tld": tld}, code="unknown_tld")
    registrable = registrable_part(ascii_name)
    if registrable is None:
        raise ValidationError(_("%(name)s is a public suffix (like com or co.uk): add a name registered under it, "
                                "such as contoso.%(name)s.") % {"name": ascii_name}, code="public_suffix")
    if registrable != ascii_name and not subdomains_allowed:
        raise ValidationError(
            _("Your plan accepts only domains registered directly under a public suffix, such as %(registrable)s. "
              "Sub-domains like %(name)s need an enterprise plan.") % {"registrable": registrable, "name": ascii_name},
            code="subdomain_not_allowed")

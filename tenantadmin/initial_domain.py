"""Rules for the initial domain `<label>.<INITIAL_DOMAIN_SUFFIX>` chosen at sign-up."""

import re

from django.conf import settings
from django.utils.translation import gettext as _

from tenantadmin.models import Tenant

LABEL_MIN = 2
LABEL_MAX = 27
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
# Names that would confuse people or collide with our own service host names.
RESERVED_LABELS = frozenset({
    "admin", "administrator", "api", "autodiscover", "billing", "help", "hostmaster", "localhost", "mail",
    "ns1", "ns2", "ns3", "postmaster", "root", "security", "sip", "smtp", "staff", "support", "test",
    "webmaster", "www", "lyncdiscover", "login", "signin", "signup",
})


def initial_domain_for(label: str) -> str:
    return f"{label}.{settings.INITIAL_DOMAIN_SUFFIX}"


def label_errors(label: str) -> list[str]:
    """Why `label` cannot be an initial domain label (empty when it can, availability aside)."""
    if not LABEL_MIN <= len(label) <= LABEL_MAX:
        return [_("Use %(min)d to %(max)d characters.") % {"min": LABEL_MIN, "max": LABEL_MAX}]
    if not _LABEL.match(label):
        return [_("Use only lower-case letters, digits and hyphens, starting and ending with a letter or digit.")]
    if label[2:4] == "--":
        return [_("Two hyphens in the third and fourth position are reserved for international names.")]
    if label in RESERVED_LABELS:
        return [_("This name is reserved. Choose another one.")]
    return []


def normalize_label(text: str) -> str:
    return (text or "").strip().lower()


def is_available(label: str) -> bool:
    return not Tenant.objects.filter(initial_domain=initial_domain_for(label)).exists()


def check_label(text: str) -> tuple[str, list[str]]:
    """(normalized label, errors) including availability."""
    label = normalize_label(text)
    errors = label_errors(label)
    if not errors and not is_available(label):
        errors = [_("%(domain)s is already taken. Try another name.") % {"domain": initial_domain_for(label)}]
    return label, errors

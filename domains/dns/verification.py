"""The verification record of a domain (SPEC domains/ "Verification") and the live check for it."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from domains.dns import lookup as dnslookup

VERIFICATION_TTL = 3600
# Larger than any MX a real mail host uses, so the verification MX never receives mail.
VERIFICATION_MX_PRIORITY = 32767


def txt_value(domain) -> str:
    return f"{settings.VERIFICATION_TXT_PREFIX}{domain.verification_code}"


def mx_target(domain) -> str:
    return f"{domain.verification_code}.{settings.VERIFICATION_MX_HOST}"


def verification_records(domain) -> list[dict]:
    """The two records the admin can create, exactly as shown on the verify page and in the API."""
    return [
        {"type": "TXT", "host": "@", "value": txt_value(domain), "priority": None, "ttl": VERIFICATION_TTL},
        {"type": "MX", "host": "@", "value": mx_target(domain), "priority": VERIFICATION_MX_PRIORITY,
         "ttl": VERIFICATION_TTL},
    ]


@dataclass
class VerificationCheck:
    found: bool
    message: str  # plain language, shown on the page and stored as the domain's last result
    transient: bool = False  # a DNS failure: try again later rather than concluding anything


_FAILURES = {
    dnslookup.TIMEOUT: gettext_lazy("The DNS servers did not answer in time."),
    dnslookup.SERVFAIL: gettext_lazy("The DNS servers reported an error for this domain (SERVFAIL)."),
    dnslookup.LOOP: gettext_lazy("The domain's records form a loop of CNAME records."),
    dnslookup.ERROR: gettext_lazy("The DNS answer could not be read."),
}


def check_verification(domain) -> VerificationCheck:
    """Look for the TXT record, then the MX record, over live DNS."""
    txt = dnslookup.lookup(domain.name, "TXT")
    expected_txt = txt_value(domain)
    if txt.ok and any(value.strip() == expected_txt for value in txt.values):
        return VerificationCheck(True, _("The TXT record was found."))
    mx = dnslookup.lookup(domain.name, "MX")
    expected_mx = mx_target(domain)
    if mx.ok and any(value.split(" ", 1)[-1] == expected_mx for value in mx.values):
        return VerificationCheck(True, _("The MX record was found."))
    worst = next((r for r in (txt, mx) if r.status in _FAILURES), None)
    if worst is not None:
        return VerificationCheck(False, str(_FAILURES[worst.status]), transient=True)
    if txt.status == dnslookup.NXDOMAIN:
        return VerificationCheck(False, _("The domain does not exist in DNS yet (NXDOMAIN). Check the spelling "
                                          "and that the registration is complete."))
    if txt.ok and any(v.startswith(settings.VERIFICATION_TXT_PREFIX) for v in txt.values):
        return VerificationCheck(False, _("A TXT record was found but its value is not %(value)s. Copy the value "
                                          "again exactly.") % {"value": expected_txt})
    return VerificationCheck(False, _("Neither the TXT record nor the MX record was found yet. Changes can take "
                                      "up to 72 hours to be visible."))

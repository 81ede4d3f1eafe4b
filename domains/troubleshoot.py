"""The troubleshooter (SPEC domains/ "Troubleshoot domain"): live DNS checks, each with a plain-language result."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from domains.dns import lookup as dnslookup
from domains.dns.records import fqdn, service_records
from domains.dns.verification import check_verification, mx_target, txt_value
from domains.models import Domain
from domains.zones import delegation_to_us

STAGES = ["verification", "nameservers", "services"]


@dataclass
class Check:
    title: str
    state: str  # "ok", "problem", "expected" (a failure that is fine in this mode), "unknown" (DNS did not answer)
    message: str
    # A problem's machine code and the values its short message needs (domains/service_checks.py stores them).
    code: str = ""
    params: dict = field(default_factory=dict)


NO_ANSWER = (dnslookup.TIMEOUT, dnslookup.SERVFAIL, dnslookup.ERROR)


def _no_answer(title) -> Check:
    return Check(title, "unknown", _("DNS did not answer; try again in a few minutes."))


def _service_check(domain: Domain, record: dict) -> Check:
    name = fqdn(domain.name, record["name"])
    title = _("%(type)s record %(name)s") % {"type": record["type"], "name": name}
    result = dnslookup.lookup(name, record["type"])
    if result.status in NO_ANSWER:
        return _no_answer(title)
    expected = record["value"].lower()
    if record["type"] == "MX":
        expected = f"{record['priority']} {expected}"
    elif record["type"] == "SRV":
        expected = f"{record['priority']} {record['weight']} {record['port']} {expected}"
    values = [v.lower() for v in result.values]
    if result.ok and expected in values:
        return Check(title, "ok", _("Present and correct."))
    record_params = {"type": record["type"], "name": name}
    if result.ok:
        found = ", ".join(result.values)[:200]
        return Check(title, "problem", _("Found %(found)s but expected %(expected)s. Correct the record at your DNS host.")
                     % {"found": found, "expected": expected}, code="record_incorrect",
                     params={**record_params, "found": found, "expected": expected})
    return Check(title, "problem", _("Missing. Create it with the values in the required-records table."),
                 code="record_missing", params=record_params)


def _conflicts(domain: Domain) -> list[Check]:
    """Old MX and SPF records that would send mail elsewhere or make receivers reject ours."""
    checks = []
    ours_mx = next(r for r in service_records(domain) if r["type"] == "MX")["value"]
    mx = dnslookup.lookup(domain.name, "MX")
    others = [v for v in mx.values if v.split(" ", 1)[-1] not in (ours_mx, mx_target(domain))] if mx.ok else []
    # A lookup that got no answer proves nothing either way: "unknown", never "no conflict".
    if mx.status in NO_ANSWER:
        checks.append(_no_answer(_("Other MX records")))
    elif others:
        checks.append(Check(_("Other MX records"), "problem",
                            _("These MX records send mail elsewhere: %(list)s. Remove them once mail should come to us.")
                            % {"list": ", ".join(others)[:200]}, code="other_mx",
                            params={"list": ", ".join(others)[:200]}))
    else:
        checks.append(Check(_("Other MX records"), "ok", _("No old MX records found.")))
    txt = dnslookup.lookup(domain.name, "TXT")
    spf = [v for v in txt.values if v.lower().startswith("v=spf1")] if txt.ok else []
    if txt.status in NO_ANSWER:
        checks.append(_no_answer(_("SPF records")))
    elif len(spf) > 1:
        checks.append(Check(_("SPF records"), "problem",
                            _("There are %(count)s SPF records; receivers ignore them all. Merge them into one.")
                            % {"count": len(spf)}, code="spf_multiple", params={"count": len(spf)}))
    elif spf and settings.SERVICE_SPF_INCLUDE not in spf[0]:
        checks.append(Check(_("SPF records"), "problem",
                            _("The SPF record does not include %(include)s, so our mail may be rejected.")
                            % {"include": settings.SERVICE_SPF_INCLUDE}, code="spf_without_include",
                            params={"include": settings.SERVICE_SPF_INCLUDE}))
    return checks


def troubleshoot(domain: Domain, stage: str) -> list[Check]:
    if stage == "verification":
        if domain.verified_at:
            return [Check(_("Verification"), "ok", _("The domain is verified."))]
        check = check_verification(domain)
        if check.found:
            return [Check(_("Verification record"), "ok", _("The record is visible: select Verify on the domain page."))]
        state = "unknown" if check.transient else "problem"
        return [Check(_("Verification record"), state,
                      check.message + " " + _("Expected TXT %(txt)s or MX %(mx)s at @.") % {
                          "txt": txt_value(domain), "mx": mx_target(domain)})]
    if stage == "nameservers":
        delegated = delegation_to_us(domain.name)
        title = _("Name servers")
        ours = ", ".join(settings.OUR_NAME_SERVERS)
        if delegated is None:
            return [_no_answer(title)]
        if delegated:
            return [Check(title, "ok", _("The domain uses our name servers."))]
        if domain.hosting == Domain.Hosting.NO_NS_SWITCH:
            return [Check(title, "expected", _("You keep your DNS host, so this check is expected to fail."))]
        if domain.hosting == Domain.Hosting.HOSTED:
            # We host the zone, but the registrar now sends the world elsewhere: our records are not used.
            return [Check(title, "problem", _("The domain no longer uses our name servers, so the records we host for "
                                              "it are not used. At your registrar, set them back to %(ours)s.")
                          % {"ours": ours}, code="ns_moved_away", params={"ours": ours})]
        return [Check(title, "problem", _("The domain does not use our name servers yet. At your registrar, set them "
                                          "to %(ours)s; the change can take up to 72 hours.") % {"ours": ours},
                      code="ns_not_switched", params={"ours": ours})]
    return [_service_check(domain, record) for record in service_records(domain)] + _conflicts(domain)

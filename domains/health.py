"""The health reading of each domain on the Domains page (SPEC domains/ "Domain list": the add-on "health").

The readings an admin knows from a modern admin center: Setup complete, Possible service issues, Incomplete setup,
Unverified. They are read from what the domain already stores, never from live DNS (the page must not wait on
the network):

- a hosted zone is ours, so its records are the truth: a failed publication to our name servers, or a custom
  record that conflicts with the service records (another MX at the apex, a second SPF record) is an issue —
  the same conflicts the troubleshooter looks for in live DNS; so is what the last stored live check found
  (name servers moved away from ours);
- a verified domain still waiting for the name-server switch has not finished its setup;
- a domain whose admin keeps the DNS host ("without switching name servers") reads the stored result of the last
  live check of its records (domains/service_checks.py: daily, or the troubleshooter's "Check now"), and "Records
  not checked" before the first conclusive one.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from domains.models import DnsRecord, Domain
from domains.service_checks import problem_message

COMPLETE = "complete"
ISSUES = "issues"
INCOMPLETE = "incomplete"
UNVERIFIED = "unverified"
NOT_CHECKED = "not_checked"
REMOVING = "removing"

LABELS = {
    COMPLETE: _("Setup complete"),
    ISSUES: _("Possible service issues"),
    INCOMPLETE: _("Incomplete setup"),
    UNVERIFIED: _("Unverified"),
    NOT_CHECKED: _("Records not checked"),
    REMOVING: _("Being removed"),
}


@dataclass(frozen=True)
class Health:
    key: str
    reasons: list = field(default_factory=list)  # plain-language sentences, shown under the label
    # Where the admin fixes it: "dns" (the DNS manager: our zone) or "troubleshoot" (what live DNS shows).
    fix: str = "dns"
    checked_at: datetime | None = None  # the last conclusive live check the reading includes

    @property
    def label(self) -> str:
        return str(LABELS[self.key])


def with_health_facts(domains: QuerySet) -> QuerySet:
    """The stored facts `domain_health` reads, annotated inside the same SELECT (no query per domain): whether
    the zone holds an admin's MX record at the apex beside ours, and an admin's SPF record beside ours."""
    apex = DnsRecord.objects.filter(tenant_id=OuterRef("tenant_id"), domain_id=OuterRef("pk"), is_system=False,
                                    name="@")
    # The verification MX never receives mail (its priority is the largest there is): no conflict, as in the
    # troubleshooter.
    verification_mx = Concat(OuterRef("verification_code"), Value("." + settings.VERIFICATION_MX_HOST))
    return domains.annotate(
        has_custom_apex_mx=Exists(apex.filter(type=DnsRecord.Type.MX).exclude(value=verification_mx)),
        has_custom_spf=Exists(apex.filter(type=DnsRecord.Type.TXT, value__istartswith="v=spf1")),
    )


def domain_health(domain: Domain) -> Health:
    """The reading for one domain of a queryset passed through `with_health_facts`."""
    if domain.status == Domain.Status.PENDING_DELETION:
        return Health(REMOVING, [_("The domain is being removed from your organization.")])
    if domain.verified_at is None:
        return Health(UNVERIFIED, [_("Prove that you own the domain: add the verification record at your DNS "
                                     "host, then select Verify.")])
    if domain.is_initial:
        return Health(COMPLETE, [_("The service manages this domain's DNS.")])
    if domain.hosting == Domain.Hosting.HOSTED:
        return _hosted_health(domain)
    if domain.hosting == Domain.Hosting.NO_NS_SWITCH:
        return _own_host_health(domain)
    return Health(INCOMPLETE, [_("Point the domain's name servers at ours (or choose to keep your DNS host) to "
                                 "finish: we have not seen the switch yet.")])


# A hosted zone's conflicting records are read from the zone itself (always current), not from the last live check.
ZONE_CONFLICT_CODES = {"other_mx", "spf_multiple"}


def _live_problems(domain: Domain, skip=frozenset()) -> list[str]:
    if domain.services_checked_at is None or domain.services_check_state != Domain.ServiceCheck.PROBLEM:
        return []
    return [problem_message(problem) for problem in domain.services_problems if problem.get("code") not in skip]


def _own_host_health(domain: Domain) -> Health:
    checked_at = domain.services_checked_at
    if checked_at is None:
        return Health(NOT_CHECKED, [_("You create the service records at your DNS host. We check them every day; "
                                      "to check them now, run the troubleshooter.")], fix="troubleshoot")
    problems = _live_problems(domain)
    if problems:
        return Health(ISSUES, problems, fix="troubleshoot", checked_at=checked_at)
    return Health(COMPLETE, [_("Every service record is present and correct at your DNS host.")],
                  fix="troubleshoot", checked_at=checked_at)


def _hosted_health(domain: Domain) -> Health:
    checked_at = domain.services_checked_at
    live = _live_problems(domain, skip=ZONE_CONFLICT_CODES)  # name servers moved away, say: listed first
    if live:
        return Health(ISSUES, live + _zone_problems(domain), fix="troubleshoot", checked_at=checked_at)
    problems = _zone_problems(domain)
    if problems:
        return Health(ISSUES, problems, checked_at=checked_at)
    return Health(COMPLETE, [_("We host the domain's DNS and every service record is in place.")],
                  checked_at=checked_at)


def _zone_problems(domain: Domain) -> list:
    problems = []
    if domain.push_state == Domain.Push.FAILED:
        problems.append(_("Our name servers could not publish the latest changes to the zone; we keep retrying."))
    if domain.has_custom_apex_mx:
        problems.append(_("The zone has another MX record beside ours, so some mail may go elsewhere."))
    if domain.has_custom_spf:
        problems.append(_("The zone has a second SPF record; receivers ignore both, so mail may be rejected."))
    return problems

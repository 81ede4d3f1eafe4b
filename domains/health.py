"""The health reading of each domain on the Domains page (SPEC domains/ "Domain list": the add-on "health").

The readings an admin knows from a modern admin center: Setup complete, Possible service issues, Incomplete setup,
Unverified. They are read from what the domain already stores, never from live DNS (the page must not wait on
the network):

- a hosted zone is ours, so its records are the truth: a failed publication to our name servers, or a custom
  record that conflicts with the service records (another MX at the apex, a second SPF record) is an issue —
  the same conflicts the troubleshooter looks for in live DNS;
- a verified domain still waiting for the name-server switch has not finished its setup;
- a domain whose admin keeps the DNS host ("without switching name servers") has records we do not store the
  result of checking, so it reads "Not checked" and points to the troubleshooter.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from domains.models import DnsRecord, Domain

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
        return Health(NOT_CHECKED, [_("You create the service records at your DNS host. Run the troubleshooter "
                                      "to check that they are present and correct.")])
    return Health(INCOMPLETE, [_("Point the domain's name servers at ours (or choose to keep your DNS host) to "
                                 "finish: we have not seen the switch yet.")])


def _hosted_health(domain: Domain) -> Health:
    problems = []
    if domain.push_state == Domain.Push.FAILED:
        problems.append(_("Our name servers could not publish the latest changes to the zone; we keep retrying."))
    if domain.has_custom_apex_mx:
        problems.append(_("The zone has another MX record beside ours, so some mail may go elsewhere."))
    if domain.has_custom_spf:
        problems.append(_("The zone has a second SPF record; receivers ignore both, so mail may be rejected."))
    if problems:
        return Health(ISSUES, problems)
    return Health(COMPLETE, [_("We host the domain's DNS and every service record is in place.")])

"""The DNS service check and its stored result (SPEC domains/ "Domain list": the add-on health).

The troubleshooter's name-server and service-record steps (domains/troubleshoot.py) run over live DNS; their
outcome is stored on the domain (`services_checked_at`, `services_check_state`, `services_problems`) so the Domains
list reads health without waiting on the network. Two callers: an admin's "Check now" on the troubleshooter, and
the hourly beat task that re-checks each checkable domain about once a day.

Checkable: verified, not the initial domain (the service's own DNS), not being removed, and either hosted here
(the check notices name servers moved away from ours) or kept at the admin's DNS host ("without switching name
servers"). A domain still waiting for the name-server switch is left to detect-dns-delegations: its service records
exist nowhere yet, so a check could only repeat what its health already says (Incomplete setup).

Only a conclusive check is stored: when DNS does not answer and no problem was proven, the last conclusive result
stands (a resolver outage must neither clear a problem nor raise a false one, and the admins must not get a mail
each time an outage ends), and the domain stays due, so the next sweep tries again.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from math import ceil

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from domains.models import Domain
from domains.services import global_admin_addresses
from domains.troubleshoot import Check, troubleshoot
from tenantadmin.actors import Actor
from tenantadmin.mail import mail_after_commit
from tenantadmin.services.audit import audit_record

logger = logging.getLogger(__name__)

State = Domain.ServiceCheck
CHECKABLE_HOSTING = (Domain.Hosting.HOSTED, Domain.Hosting.NO_NS_SWITCH)
# The beat entry "check-domain-services" runs every SWEEP_INTERVAL and takes 1/SWEEPS_PER_DAY of the checkable
# domains, least recently checked first: each domain is checked about once a day, and the checks are spread
# evenly over the day rather than all at the hour the feature was deployed.
SWEEP_INTERVAL = timedelta(hours=1)
SWEEPS_PER_DAY = 24
# A little under a day: a domain checked at 10:20 yesterday is due again at the 10:00 sweep today.
RECHECK_AFTER = timedelta(hours=23)
# Resolvers may hold the records of the old DNS host for a while after the switch to our name servers.
HOSTED_GRACE = timedelta(hours=24)
SYSTEM_ACTOR_LABEL = "DNS service check"

# The short message of each problem code, shown on the Domains list and in the mail in the reader's language.
PROBLEM_MESSAGES = {
    "ns_moved_away": gettext_lazy("The domain no longer uses our name servers (%(ours)s), so the records we host "
                                  "for it are not used."),
    "ns_not_switched": gettext_lazy("The domain does not use our name servers (%(ours)s) yet."),
    "record_missing": gettext_lazy("The %(type)s record %(name)s is missing."),
    "record_incorrect": gettext_lazy("The %(type)s record %(name)s is %(found)s instead of %(expected)s."),
    "other_mx": gettext_lazy("Other MX records send mail elsewhere: %(list)s."),
    "spf_multiple": gettext_lazy("The domain has %(count)s SPF records; receivers ignore them all."),
    "spf_without_include": gettext_lazy("The SPF record does not include %(include)s, so mail we send for the "
                                        "domain may be rejected."),
}


def problem_message(problem: dict) -> str:
    """A stored problem in the active language (its stored message for a code this version does not know)."""
    template = PROBLEM_MESSAGES.get(problem.get("code"))
    if template is None:
        return problem.get("message", "")
    try:
        return str(template) % problem.get("params", {})
    except (KeyError, TypeError, ValueError):
        return problem.get("message", "")


# For mails: rendered when the template renders, in the recipient organization's language.
problem_message_lazy = lazy(problem_message, str)


@dataclass
class ServiceCheckResult:
    domain: Domain
    checks: list[Check]
    state: str  # the outcome of this run (UNKNOWN: inconclusive)
    saved: bool  # False when the outcome was inconclusive or the domain's DNS mode changed meanwhile


def checkable_domains():
    return (Domain.objects.filter(verified_at__isnull=False, is_initial=False, hosting__in=CHECKABLE_HOSTING)
            .exclude(status=Domain.Status.PENDING_DELETION))


def is_checkable(domain: Domain) -> bool:
    return (domain.verified_at is not None and not domain.is_initial and domain.hosting in CHECKABLE_HOSTING
            and domain.status != Domain.Status.PENDING_DELETION)


def due_domains(*, now):
    """Checkable domains without a conclusive check in the last RECHECK_AFTER (hosted ones after their first day)."""
    return (checkable_domains()
            .filter(Q(services_checked_at__isnull=True) | Q(services_checked_at__lte=now - RECHECK_AFTER))
            .exclude(hosting=Domain.Hosting.HOSTED, ns_detected_at__gt=now - HOSTED_GRACE))


def live_checks(domain: Domain) -> list[Check]:
    """The troubleshooter's name-server step and service-record step (with the conflict checks), over live DNS."""
    return troubleshoot(domain, "nameservers") + troubleshoot(domain, "services")


def outcome(checks: list[Check]) -> tuple[str, list[dict]]:
    """(state, problems): PROBLEM as soon as one check failed, UNKNOWN when DNS left a check unanswered, else OK."""
    problems = []
    with translation.override(settings.LANGUAGE_CODE):
        for check in checks:
            if check.state != "problem":
                continue
            problem = {"code": check.code or "check_failed", "params": check.params}
            # The message as it reads in the site's language: for programs and the staff site, and the fallback.
            problem["message"] = problem_message(problem) if check.code else f"{check.title}: {check.message}"
            problems.append(problem)
    if problems:
        return State.PROBLEM, problems
    if any(check.state == "unknown" for check in checks):
        return State.UNKNOWN, []
    return State.OK, []


def _problem_keys(problems: list[dict]) -> list[str]:
    """What identifies a problem from one day to the next: its code and the record it is about (not the values
    found, which a misconfigured round-robin answer may vary)."""
    keys = []
    for problem in problems:
        params = problem.get("params", {})
        keys.append(" ".join(filter(None, [problem.get("code"), params.get("type"), params.get("name")])))
    return sorted(keys)


@transaction.atomic
def domain_services_record(*, domain_id, actor: Actor, hosting: str, checks: list[Check],
                           now) -> tuple[Domain | None, bool]:
    """Store one live check's outcome; (domain, saved). Audited and mailed only when the result changes."""
    domain = (checkable_domains().select_for_update(of=("self",)).select_related("tenant").filter(pk=domain_id)
              .first())
    state, problems = outcome(checks)
    # The checks judged the records for the DNS mode the domain had when they ran: a mode changed meanwhile
    # (which forgets the stored result) makes them meaningless.
    if domain is None or domain.hosting != hosting or state == State.UNKNOWN:
        return domain, False
    before_state, before_keys = domain.services_check_state, _problem_keys(domain.services_problems)
    domain.services_checked_at = now
    domain.services_check_state = state
    domain.services_problems = problems
    domain.save(update_fields=["services_checked_at", "services_check_state", "services_problems"])
    # Audit: the stored result is what public DNS showed, not a setting anyone chose. An event per check would
    # bury the admins' own changes under one identical line per domain per day, so only a change of the result
    # (state, or which checks fail) is written, whoever checked: the system actor for the daily check, the
    # admin for their own "Check now". Either way the log answers "since when is our MX record gone?".
    if (before_state, before_keys) != (state, _problem_keys(problems)):
        audit_record(tenant=domain.tenant, actor=actor, action="domain.services_check", target=domain,
                     changes={"services_check_state": [before_state, state],
                              "services_problems": [before_keys, _problem_keys(problems)]})
    # Mail once, when the domain turns to problem: the next days find it unchanged and stay quiet until it has
    # been seen healthy (or its DNS mode changed) and breaks again.
    if state == State.PROBLEM and before_state != State.PROBLEM:
        _mail_problems(domain, problems)
    return domain, True


def _subject(name: str) -> str:
    return _("Mail or instant messaging for %(name)s may not work") % {"name": name}


def _mail_problems(domain: Domain, problems: list[dict]) -> None:
    mail_after_commit(
        to=global_admin_addresses(domain.tenant), subject=lazy(_subject, str)(domain.name),
        template="domains/mail/domain_service_problems", language=domain.tenant.preferred_language,
        context={"domain": domain, "problems": [problem_message_lazy(p) for p in problems],
                 "troubleshoot_url": reverse("domains:troubleshoot", args=[domain.name]) + "?stage=services",
                 "hosted": domain.hosting == Domain.Hosting.HOSTED},
        tenant=domain.tenant, category="service",
    )


def domain_check_services(*, domain: Domain, actor: Actor, now=None) -> ServiceCheckResult:
    """Check the domain's name servers and service records now and store the outcome.

    The lookups run outside any transaction (they wait on the network); only the write takes the row lock."""
    if not is_checkable(domain):
        raise ValidationError(_("Only a verified domain whose DNS we host, or whose records you keep at your DNS "
                                "host, is checked."), code="not_checkable")
    hosting = domain.hosting
    checks = live_checks(domain)
    stored, saved = domain_services_record(domain_id=domain.pk, actor=actor, hosting=hosting, checks=checks,
                                           now=now or timezone.now())
    return ServiceCheckResult(domain=stored or domain, checks=checks, state=outcome(checks)[0], saved=saved)


def check_if_due(domain_id, *, now=None) -> str | None:
    """Worker: the daily check of one domain. A no-op when it is no longer due (checked meanwhile, e.g. when a
    sweep ran twice or a task was delivered twice), no longer checkable, or gone: safe to run any number of times."""
    now = now or timezone.now()
    domain = due_domains(now=now).select_related("tenant").filter(pk=domain_id).first()
    if domain is None:
        return None
    try:
        result = domain_check_services(domain=domain, actor=Actor.system(SYSTEM_ACTOR_LABEL), now=now)
    except ValidationError:  # not checkable any more between the two reads
        return None
    return result.state


def sweep(*, now=None, send) -> int:
    """Beat: hand this hour's share of due domains to `send(domain_id, countdown)`, spread over the hour.

    Never-checked domains (new, or whose DNS mode changed) go first, then the least recently checked. Countdowns
    stay within the hour: a broker redelivers tasks that wait longer than its visibility timeout (Redis: 1 hour)."""
    now = now or timezone.now()
    share = ceil(checkable_domains().count() / SWEEPS_PER_DAY)
    if not share:
        return 0
    due = due_domains(now=now)
    # Two index-friendly reads instead of one ORDER BY ... NULLS FIRST.
    ids = list(due.filter(services_checked_at__isnull=True).order_by("pk").values_list("pk", flat=True)[:share])
    if len(ids) < share:
        ids += list(due.filter(services_checked_at__isnull=False).order_by("services_checked_at", "pk")
                    .values_list("pk", flat=True)[:share - len(ids)])
    spread = SWEEP_INTERVAL.total_seconds()
    for number, pk in enumerate(ids):
        send(str(pk), int(spread * number / len(ids)))
    return len(ids)

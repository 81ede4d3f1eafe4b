"""Removing a domain (SPEC domains/ "Remove a domain"): never the initial one, never while in use;
the removal runs as a Job with the domain shown as *Pending deletion*, and is retried when it fails."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from domains.dns import powerdns
from domains.models import Domain
from domains.selectors import domain_usage
from tenantadmin.actors import Actor
from tenantadmin.models import Job
from tenantadmin.services.audit import audit_record
from tenantadmin.services.jobs import job_start

JOB_KIND = "domain.remove"
RETRY_AFTER = timedelta(minutes=15)


def removal_blockers(*, tenant, domain: Domain) -> list[str]:
    """Plain reasons why the domain cannot be removed now (empty: it can)."""
    if domain.is_initial:
        return [_("The initial domain can never be removed.")]
    reasons = []
    if domain.name == tenant.default_domain:
        reasons.append(_("It is the default domain: make another domain the default first."))
    usage = domain_usage(tenant=tenant, domain=domain, limit=0)
    if usage["user_count"]:
        reasons.append(_("%(count)s user names end in @%(name)s.") % {"count": usage["user_count"], "name": domain.name})
    if usage["address_count"]:
        reasons.append(_("%(count)s users have e-mail addresses at %(name)s.")
                       % {"count": usage["address_count"], "name": domain.name})
    if usage["website"]:
        reasons.append(_("The public website uses this domain: change its address first."))
    return reasons


@transaction.atomic
def domain_remove_start(*, tenant, actor: Actor, domain: Domain) -> Job:
    """Mark the domain Pending deletion and start the removal job."""
    from domains.tasks import remove_domain_task

    domain = Domain.objects.select_for_update().get(pk=domain.pk, tenant=tenant)
    if domain.status == Domain.Status.PENDING_DELETION:
        raise ValidationError(_("This domain is already being removed."))
    reasons = removal_blockers(tenant=tenant, domain=domain)
    if reasons:
        raise ValidationError(reasons)
    before = domain.status
    Domain.objects.filter(pk=domain.pk).update(status=Domain.Status.PENDING_DELETION, removal_error="",
                                               next_check_at=None)
    audit_record(tenant=tenant, actor=actor, action="domain.remove_start", target=domain,
                 changes={"status": [before, Domain.Status.PENDING_DELETION]})
    return job_start(tenant=tenant, actor=actor, kind=JOB_KIND, title=_("Remove domain %(name)s") % {"name": domain.name},
                     task=remove_domain_task, params={"domain_id": str(domain.pk), "name": domain.name,
                                                      "status_before": before})


def removal_work(job, progress) -> dict:
    """The job's work: safe to run again (a missing domain is already removed)."""
    progress.set_total(1)
    domain = Domain.objects.filter(pk=job.params["domain_id"], tenant=job.tenant).first()
    if domain is None:
        progress.advance()
        return {"message": _("The domain was already removed.")}
    actor = Actor.system("domain removal")
    # Something may have started using the domain since the admin pressed Remove.
    reasons = removal_blockers(tenant=job.tenant, domain=domain)
    if reasons:
        Domain.objects.filter(pk=domain.pk).update(status=job.params.get("status_before") or Domain.Status.VERIFIED,
                                                   removal_error=" ".join(reasons)[:500])
        progress.advance(done=0, failed=1)
        return {"status": Job.Status.FAILED, "message": " ".join(reasons)}
    try:
        if powerdns.configured() and domain.hosting == Domain.Hosting.HOSTED:
            powerdns.delete_zone(domain.name)
    except powerdns.PowerDnsError as exc:
        Domain.objects.filter(pk=domain.pk).update(removal_error=str(exc)[:500])
        progress.advance(done=0, failed=1)
        return {"status": Job.Status.FAILED,
                "message": _("The DNS zone could not be removed yet (%(error)s); it will be tried again.") % {"error": exc}}
    with transaction.atomic():
        audit_record(tenant=job.tenant, actor=actor, action="domain.remove", target=domain,
                     changes={"name": [domain.name, None]})
        domain.delete()
    progress.advance()
    return {"message": _("%(name)s was removed.") % {"name": job.params.get("name", "")}}


def retry_failed_removals(*, now=None) -> int:
    """Beat: start the removal again for domains whose removal failed a while ago."""
    from domains.tasks import remove_domain_task

    now = now or timezone.now()
    count = 0
    for domain in Domain.objects.filter(status=Domain.Status.PENDING_DELETION).exclude(removal_error="").select_related("tenant"):
        recent = Job.objects.filter(tenant=domain.tenant, kind=JOB_KIND, params__domain_id=str(domain.pk),
                                    created_at__gte=now - RETRY_AFTER).exists()
        if recent:
            continue
        job_start(tenant=domain.tenant, actor=Actor.system("domain removal retry"), kind=JOB_KIND,
                  title=_("Remove domain %(name)s") % {"name": domain.name}, task=remove_domain_task,
                  params={"domain_id": str(domain.pk), "name": domain.name, "status_before": Domain.Status.VERIFIED})
        count += 1
    return count

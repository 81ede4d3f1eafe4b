"""Celery tasks of the domains app: thin wrappers that take ids and call services (DESIGN)."""

from celery import shared_task

from domains import polling, removal, service_checks, zones
from domains.models import Domain
from tenantadmin.services.jobs import job_run


@shared_task(acks_late=True)
def poll_pending_domains() -> int:
    """Beat: fan out the due verification checks (see domains/polling.py)."""
    return polling.poll_dispatch(send=lambda ids, countdown: check_domains_task.apply_async((ids,), countdown=countdown))


@shared_task(acks_late=True)
def check_domains_task(domain_ids: list[str]) -> dict:
    return polling.check_domains(domain_ids)


@shared_task(acks_late=True)
def detect_delegations() -> int:
    """Beat: one small task per verified domain still at an external DNS host."""
    ids = list(Domain.objects.filter(verified_at__isnull=False, is_initial=False, hosting=Domain.Hosting.EXTERNAL)
               .exclude(status=Domain.Status.PENDING_DELETION).values_list("pk", flat=True))
    for pk in ids:
        detect_delegation_task.delay(str(pk))
    return len(ids)


@shared_task(acks_late=True)
def detect_delegation_task(domain_id: str) -> bool:
    return zones.detect_delegation(domain_id)


@shared_task(acks_late=True)
def check_domain_services() -> int:
    """Beat (hourly): this hour's share of the daily DNS service checks, one task per domain, spread over the hour."""
    return service_checks.sweep(
        send=lambda domain_id, countdown: check_domain_services_task.apply_async((domain_id,), countdown=countdown))


@shared_task(acks_late=True)
def check_domain_services_task(domain_id: str) -> str | None:
    return service_checks.check_if_due(domain_id)


@shared_task(acks_late=True)
def push_zone_task(domain_id: str) -> bool:
    return zones.zone_push(domain_id)


@shared_task(acks_late=True)
def retry_zone_pushes() -> int:
    """Beat: a push that failed (PowerDNS down) or never ran is tried again until it succeeds."""
    ids = list(Domain.objects.filter(push_state__in=[Domain.Push.PENDING, Domain.Push.FAILED]).values_list("pk", flat=True))
    for pk in ids:
        push_zone_task.delay(str(pk))
    return len(ids)


@shared_task(acks_late=True)
def remove_domain_task(job_id: str) -> None:
    job_run(job_id, removal.removal_work)


@shared_task
def retry_domain_removals() -> int:
    return removal.retry_failed_removals()

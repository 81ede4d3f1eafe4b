"""Celery tasks of the users app: thin wrappers around services."""

from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from celery import shared_task

# The bulk import's tasks live in its package; importing them here lets the worker's autodiscovery find them.
from users.bulk_import.tasks import users_import_run, users_import_verify  # noqa: F401

from tenantadmin.models import Tenant
from tenantadmin.services.jobs import job_run
from users.lifecycle_services import purge_due, users_purge
from users.restore_job import restore_users_work

# Lockouts escalate over 24 hours (users/lockout.py), so failure records older than two days no
# longer matter; sign-in logs are kept a month for support questions.
FAILURE_LOG_DAYS = 2
ACCESS_LOG_DAYS = 30


@shared_task
def purge_signin_logs() -> dict:
    return {
        "failure_logs": AxesProxyHandler.reset_failure_logs(age_days=FAILURE_LOG_DAYS),
        "access_logs": AxesProxyHandler.reset_logs(age_days=ACCESS_LOG_DAYS),
    }


@shared_task(acks_late=True)
def restore_users(job_id: str) -> None:
    """The bulk restore Job; job_run claims it, so a redelivered message does not run it twice at once."""
    job_run(job_id, restore_users_work)


@shared_task
def purge_deleted_users(now: str | None = None) -> int:
    """Periodic: one purge task per organization that has accounts deleted more than 30 days ago."""
    as_of = datetime.fromisoformat(now) if now else None
    tenant_ids = list(purge_due(now=as_of).order_by().values_list("tenant_id", flat=True).distinct())
    for tenant_id in tenant_ids:
        purge_deleted_users_of_tenant.delay(str(tenant_id), now)
    return len(tenant_ids)


@shared_task(acks_late=True)
def purge_deleted_users_of_tenant(tenant_id: str, now: str | None = None) -> int:
    """Purge one organization's due accounts; safe to run twice (each removal is a conditional delete)."""
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return 0
    return users_purge(tenant=tenant, now=datetime.fromisoformat(now) if now else None)


@shared_task(acks_late=True)
def bulk_edit_users(job_id: str) -> None:
    """Edit many users, or move them to another domain (users.bulk_edit); safe to run twice."""
    from tenantadmin.services.jobs import job_run
    from users.bulk_edit import bulk_edit_work

    job_run(job_id, bulk_edit_work)

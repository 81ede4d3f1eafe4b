"""Reads for the core app; every function takes `tenant`."""

from datetime import date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from tenantadmin.models import AppRegistration, AuditEvent, Job


def audit_event_list(*, tenant, actor: str = "", action: str = "", since: date | None = None,
                     until: date | None = None):
    """Audit events of `tenant`, newest first, filtered by actor text, action prefix and date range."""
    events = AuditEvent.objects.filter(tenant=tenant)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if action:
        # "user.create" is one action; "user" means every action of that family ("user.…").
        events = events.filter(action=action) if "." in action else events.filter(action__startswith=action + ".")
    if since:
        events = events.filter(occurred_at__gte=timezone.make_aware(datetime.combine(since, time.min)))
    if until:
        # Up to the start of the next day, so the whole "to" day is included.
        events = events.filter(occurred_at__lt=timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min)))
    return events


def audit_action_choices(*, tenant) -> list[str]:
    """The distinct actions that occur in the tenant's log (for the filter drop-down).

    A plain DISTINCT reads every event of the tenant; this recursive query hops through the
    (tenant, action, ...) index once per distinct action instead ("loose index scan"), so it
    costs the same for a thousand events and for millions. Works on PostgreSQL and SQLite.
    """
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    sql = f"""
        WITH RECURSIVE actions(action) AS (
            SELECT MIN(action) FROM {table} WHERE tenant_id = %s
            UNION ALL
            SELECT (SELECT MIN(e.action) FROM {table} e WHERE e.tenant_id = %s AND e.action > actions.action)
            FROM actions WHERE actions.action IS NOT NULL
        )
        SELECT action FROM actions WHERE action IS NOT NULL"""
    tenant_id = AuditEvent._meta.get_field("tenant").get_db_prep_value(tenant.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [tenant_id, tenant_id])
        return [row[0] for row in cursor.fetchall()]


def job_list(*, tenant, user=None):
    jobs = Job.objects.filter(tenant=tenant).select_related("created_by")
    if user is not None:
        jobs = jobs.filter(created_by=user)
    return jobs


def app_registration_list(*, tenant):
    return AppRegistration.objects.filter(tenant=tenant).order_by("display_name", "id")


def organization_counts(*, tenant) -> dict:
    """Figures for the overview in a fixed number of queries (reverse relations, no app imports)."""
    return {
        "users": tenant.users.filter(deleted_at__isnull=True).count(),
        "domains": tenant.domains.count(),
        "subscriptions": tenant.subscriptions.count(),
    }

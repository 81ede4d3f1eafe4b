"""Reads for the core app; every function takes `tenant`."""

from datetime import date, datetime, time

from django.db.models import Q
from django.utils import timezone

from tenantadmin.models import AppRegistration, AuditEvent, Job


def audit_event_list(*, tenant, actor: str = "", action: str = "", since: date | None = None,
                     until: date | None = None):
    """Audit events of `tenant`, newest first, filtered by actor text, action prefix and date range."""
    events = AuditEvent.objects.filter(tenant=tenant)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if action:
        events = events.filter(Q(action=action) | Q(action__startswith=action.rstrip(".") + "."))
    if since:
        events = events.filter(occurred_at__gte=timezone.make_aware(datetime.combine(since, time.min)))
    if until:
        events = events.filter(occurred_at__lt=timezone.make_aware(datetime.combine(until, time.max)))
    return events


def audit_action_choices(*, tenant) -> list[str]:
    """The distinct actions that occur in the tenant's log (for the filter drop-down)."""
    return list(AuditEvent.objects.filter(tenant=tenant).order_by("action").values_list("action", flat=True).distinct())


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

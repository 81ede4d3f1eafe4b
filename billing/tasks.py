"""Celery tasks of billing: the lifecycle sweep fans out one task per due subscription."""

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from billing.lifecycle import due_subscription_ids, lifecycle_advance, lifecycle_remind, reminder_due_ids


def _when(as_of: str | None):
    return datetime.fromisoformat(as_of) if as_of else timezone.now()


@shared_task(acks_late=True)
def lifecycle_sweep(as_of: str | None = None) -> int:
    """Queue one lifecycle task per subscription with a step due (beat runs this hourly)."""
    now = _when(as_of)
    ids = due_subscription_ids(now)
    for subscription_id in ids:
        lifecycle_subscription.delay(str(subscription_id), now.isoformat())
    for subscription_id in reminder_due_ids(now):
        lifecycle_reminder.delay(str(subscription_id), now.isoformat())
    return len(ids)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def lifecycle_subscription(subscription_id: str, as_of: str | None = None) -> list[str]:
    """Every step due for one subscription; safe to run twice (each step claims the row)."""
    return lifecycle_advance(subscription_id, _when(as_of))


@shared_task(acks_late=True)
def lifecycle_reminder(subscription_id: str, as_of: str | None = None) -> bool:
    """The weekly reminder about an expired or disabled subscription; claimed, so a re-run sends nothing."""
    return lifecycle_remind(subscription_id, _when(as_of))

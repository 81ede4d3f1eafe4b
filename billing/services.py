"""Writes for subscriptions. Purchases, changes and the lifecycle arrive with the billing issue."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.models import Subscription, Sku
from tenantadmin.actors import Actor
from tenantadmin.services.audit import audit_record


@transaction.atomic
def trial_start(*, tenant, sku: Sku, actor: Actor, now=None) -> Subscription:
    """A free trial of `sku` for TRIAL_DAYS with the plan's trial licenses."""
    now = now or timezone.now()
    subscription = Subscription.objects.create(
        tenant=tenant, sku=sku, is_trial=True, quantity=sku.trial_units,
        ends_at=now + timedelta(days=settings.TRIAL_DAYS),
    )
    audit_record(tenant=tenant, actor=actor, action="subscription.trial_start", target=subscription,
                 changes={"plan": [None, sku.part_number], "quantity": [None, subscription.quantity]})
    return subscription

"""Reads for plans and subscriptions."""

from billing.models import Sku, Subscription


def trial_plans():
    return Sku.objects.filter(trial_available=True).order_by("name")


def subscription_list(*, tenant):
    return Subscription.objects.filter(tenant=tenant).select_related("sku").order_by("created_at")

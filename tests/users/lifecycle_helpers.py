"""Helpers of the delete / restore / purge / licenses tests: plans with a chosen number of units, licensed users."""

from billing.models import Sku, Subscription
from tenantadmin.actors import Actor
from tests.factories import make_user
from users.licenses import licenses_change

E3 = "ENTERPRISEPACK"
ADMIN = Actor.system("tests")


def plan_with_units(tenant, units: int, part_number: str = E3) -> Sku:
    """Make `units` the organization's only licenses of the plan (one enabled subscription)."""
    sku = Sku.objects.get(part_number=part_number)
    Subscription.objects.filter(tenant=tenant, sku=sku).delete()
    Subscription.objects.create(tenant=tenant, sku=sku, status=Subscription.Status.ENABLED, quantity=units)
    return sku


def licensed_user(tenant, sku: Sku, alias=None, **details):
    details.setdefault("usage_location", "NL")
    user = make_user(tenant, alias, **details)
    licenses_change(user=user, actor=ADMIN, add=[sku])
    return user

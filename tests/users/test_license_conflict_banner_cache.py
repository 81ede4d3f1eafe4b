"""The license-conflict banner is cached per organization, and every license or subscription change drops it."""

import pytest
from django.core.cache import cache

from billing.models import Sku, Subscription
from billing.selectors import banner_forget
from tenantadmin.actors import Actor
from tests.factories import make_user
from users.licenses import cached_license_conflicts, licenses_change

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")


def test_a_conflict_appears_and_goes_with_the_changes_that_cause_it(org_a, django_capture_on_commit_callbacks):
    cache.clear()
    sku = Sku.objects.get(part_number="ENTERPRISEPACK")
    person = make_user(org_a.tenant, "holder", usage_location="NL")
    with django_capture_on_commit_callbacks(execute=True):
        licenses_change(user=person, actor=ACTOR, add=[sku])
    assert cached_license_conflicts(tenant=org_a.tenant) == []

    # Billing shrinks the subscription to nothing: the cached "no conflict" is dropped with the status change.
    with django_capture_on_commit_callbacks(execute=True):
        Subscription.objects.filter(tenant=org_a.tenant, sku=sku).update(quantity=0)
        banner_forget(org_a.tenant.pk)
    [conflict] = cached_license_conflicts(tenant=org_a.tenant)
    assert (conflict.sku.part_number, conflict.total, conflict.assigned) == ("ENTERPRISEPACK", 0, 1)

    # Removing the license ends the conflict at once.
    with django_capture_on_commit_callbacks(execute=True):
        licenses_change(user=person, actor=ACTOR, remove=[sku])
    assert cached_license_conflicts(tenant=org_a.tenant) == []


def test_the_cached_figures_are_per_organization(org_a, org_b, django_capture_on_commit_callbacks):
    cache.clear()
    sku = Sku.objects.get(part_number="ENTERPRISEPACK")
    person = make_user(org_a.tenant, "holder", usage_location="NL")
    with django_capture_on_commit_callbacks(execute=True):
        licenses_change(user=person, actor=ACTOR, add=[sku])
        Subscription.objects.filter(tenant=org_a.tenant, sku=sku).update(quantity=0)
        banner_forget(org_a.tenant.pk)
    assert cached_license_conflicts(tenant=org_a.tenant)
    assert cached_license_conflicts(tenant=org_b.tenant) == []

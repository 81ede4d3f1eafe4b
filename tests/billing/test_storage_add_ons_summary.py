"""Services summary: the organization's storage quota (plans' base + licenses × per license + add-on units), in use
and remaining, with a drill-down to the add-on subscriptions; a fixed number of queries; per organization."""

from decimal import Decimal

import pytest
from django.urls import reverse

from billing import selectors
from billing.models import Subscription
from billing.selectors import storage_summary
from tests.billing.billinghelpers import buy

pytestmark = pytest.mark.django_db
ADD_ON = "SHAREPOINTSTORAGE"


def _storage(org, *units):
    """Organization: the sign-up trial of E3 (25 licenses), 5 paid E1, 3 Exchange Online, and add-on subscriptions."""
    buy(org, "STANDARDPACK", 5)
    buy(org, "EXCHANGESTANDARD", 3)
    return [buy(org, ADD_ON, n).lines.get().subscription for n in units]


def test_the_quota_adds_the_base_once_the_licenses_and_the_add_ons(org_a):
    _storage(org_a, 100, 20)
    storage = storage_summary(tenant=org_a.tenant)
    # Base 10 GB once (E3 and E1 both give 10), (25 + 5) licenses × 0.5 GB, Exchange adds nothing, 120 GB of add-ons.
    assert (storage.base_gb, storage.licenses_gb, storage.add_ons_gb) == (Decimal(10), Decimal(15), Decimal(120))
    assert (storage.total_gb, storage.in_use_gb, storage.remaining_gb) == (Decimal(145), Decimal(0), Decimal(145))
    assert [s.quantity for s in storage.add_ons] == [100, 20]


def test_expired_add_ons_still_count_disabled_ones_do_not(org_a):
    expired, disabled = _storage(org_a, 100, 20)
    Subscription.objects.filter(pk=expired.pk).update(status=Subscription.Status.WARNING)
    Subscription.objects.filter(pk=disabled.pk).update(status=Subscription.Status.SUSPENDED)
    storage = storage_summary(tenant=org_a.tenant)
    assert storage.add_ons_gb == Decimal(100) and len(storage.add_ons) == 2  # listed, not counted


def test_remaining_never_goes_below_zero(org_a, monkeypatch):
    _storage(org_a, 10)
    monkeypatch.setattr(selectors, "storage_in_use_gb", lambda *, tenant: Decimal("40.5"))
    storage = storage_summary(tenant=org_a.tenant)
    assert (storage.total_gb, storage.in_use_gb, storage.remaining_gb) == (Decimal(35), Decimal("40.5"), Decimal(0))


def test_the_page_shows_the_storage_row_with_a_drill_down(org_a, client_for):
    add_on, _other = _storage(org_a, 100, 20)
    Subscription.objects.filter(pk=_other.pk).update(status=Subscription.Status.SUSPENDED)
    response = client_for(org_a.billing_admin).get(reverse("billing:services"))
    page = response.content.decode()
    assert 'id="storage-total">125 GB<' in page and 'id="storage-in-use">0 GB<' in page
    assert 'id="storage-remaining">125 GB<' in page
    assert "Included with your plans: 10 GB" in page and "Added by licenses: 15 GB" in page
    assert "Add-ons: 100 GB" in page
    assert reverse("billing:subscription", args=[add_on.pk]) in page and "(not counted)" in page
    # Add-ons are quotas, not licenses: no "Extra file storage" service with a license count.
    assert "Extra file storage" not in {entry["name"] for entry in response.context["services"]}


def test_without_add_ons_the_page_links_to_buying_storage(org_a, client_for):
    page = client_for(org_a.billing_admin).get(reverse("billing:services")).content.decode()
    assert 'id="storage-total">22.5 GB<' in page  # the E3 trial: 10 GB + 25 × 0.5 GB
    assert "No storage add-ons." in page and reverse("billing:purchase") + "#add-ons" in page


def test_the_page_costs_the_same_queries_for_one_add_on_or_many(org_a, client_for, django_assert_max_num_queries):
    _storage(org_a, 10)
    client = client_for(org_a.billing_admin)
    client.get(reverse("billing:services"))  # warm the session and the caches
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("billing:services"))
    warm = len(few.captured_queries)  # read now: the next request starts a new query log
    for units in range(1, 8):
        buy(org_a, ADD_ON, units)
    client.get(reverse("billing:services"))  # the purchases dropped the cached billing banner: warm it again
    with django_assert_max_num_queries(warm):
        response = client.get(reverse("billing:services"))
    assert len(response.context["storage"].add_ons) == 8


def test_each_organization_sees_its_own_storage_and_roles_without_billing_get_403(org_a, org_b, client_for):
    _storage(org_a, 100)
    page = client_for(org_b.billing_admin).get(reverse("billing:services")).content.decode()
    assert 'id="storage-total">22.5 GB<' in page and "Extra file storage" not in page
    for role in ("user_admin", "password_admin", "service_admin", "user"):
        assert client_for(org_a.member(role)).get(reverse("billing:services")).status_code == 403, role
    assert client_for(org_a.global_admin).get(reverse("billing:services")).status_code == 200

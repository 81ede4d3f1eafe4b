"""Subscriptions > Manage in the portal: list, details, licenses with a proration preview, payment details,
partner, cancel and reactivate; the walk of every billing page by role and by the other organization."""

import pytest
import time_machine
from django.urls import reverse

from billing.models import Order, PaymentMethod, Subscription
from tenantadmin.roles import permissions_for
from tests.billing.billinghelpers import T0, buy
from tests.conftest import ROLE_NAMES
from tests.portal_urls import TenantObjects, portal_patterns

pytestmark = pytest.mark.django_db
BILLING_PATTERNS = [(n, r, cb) for n, r, cb in portal_patterns() if n.startswith("billing:")]


def _bought(org, quantity=10):
    return buy(org, "STANDARDPACK", quantity, now=T0).lines.get().subscription


def test_list_shows_status_term_and_licenses_with_fixed_queries(org_a, client_for, django_assert_max_num_queries):
    client = client_for(org_a.billing_admin)
    for _ in range(2):
        _bought(org_a, 1)
    with django_assert_max_num_queries(12) as few:
        response = client.get(reverse("billing:subscriptions"))
    assert len(response.context["subscriptions"]) == 3
    for _ in range(27):
        _bought(org_a, 1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("billing:subscriptions"))
    assert len(response.context["subscriptions"]) == 30
    assert reverse("users:licenses") in response.content.decode()


def test_details_page_shows_term_and_actions(org_a, client_for):
    subscription = _bought(org_a)
    content = client_for(org_a.billing_admin).get(reverse("billing:subscription", args=[subscription.pk])).content.decode()
    assert 'id="change-licenses"' in content and 'id="cancel-subscription"' in content and "March 1, 2027" in content


def test_quantity_preview_then_confirm(org_a, client_for):
    subscription = _bought(org_a)
    client = client_for(org_a.billing_admin)
    url = reverse("billing:subscription_quantity", args=[subscription.pk])
    with time_machine.travel("2026-09-01T12:00:00Z", tick=False):
        preview = client.post(url, {"quantity": 15, "key": "k-1", "preview": "1"})
        assert preview.status_code == 200 and "238.03 USD" in preview.content.decode()
        assert Subscription.objects.get(pk=subscription.pk).quantity == 10  # nothing changed by the preview
        done = client.post(url, {"quantity": 15, "key": "k-1", "confirm": "1"})
        assert done.status_code == 302
        client.post(url, {"quantity": 15, "key": "k-1", "confirm": "1"})  # resubmitted: one order
    assert Subscription.objects.get(pk=subscription.pk).quantity == 15
    assert Order.objects.filter(tenant=org_a.tenant, kind="quantity").count() == 1


def test_decrease_explains_the_conflict_and_needs_the_box(org_a, client_for):
    subscription = _bought(org_a)
    client = client_for(org_a.billing_admin)
    url = reverse("billing:subscription_quantity", args=[subscription.pk])
    response = client.post(url, {"quantity": 4, "key": "k-2", "confirm": "1"})
    assert response.status_code == 200 and "license conflict" in response.content.decode()
    assert "confirm_conflict" in response.context["form"].errors
    assert Subscription.objects.get(pk=subscription.pk).quantity == 10
    client.post(url, {"quantity": 4, "key": "k-2", "confirm": "1", "confirm_conflict": "on"})
    assert Subscription.objects.get(pk=subscription.pk).quantity == 4


def test_cancel_page_states_dates_and_reminders_then_reactivate(org_a, client_for):
    subscription = _bought(org_a)
    client = client_for(org_a.billing_admin)
    url = reverse("billing:subscription_cancel", args=[subscription.pk])
    page = client.get(url).content.decode()
    assert "March 1, 2027" in page and "May 30, 2027" in page and "custom domains" in page
    response = client.post(url, {"reason": "too_expensive"})
    assert response.status_code == 200 and "confirm" in response.context["form"].errors
    client.post(url, {"reason": "too_expensive", "confirm": "on"})
    assert Subscription.objects.get(pk=subscription.pk).is_cancelled
    client.post(reverse("billing:subscription_reactivate", args=[subscription.pk]))
    assert not Subscription.objects.get(pk=subscription.pk).is_cancelled


def test_partner_page_rejects_bad_ids(org_a, client_for):
    subscription = _bought(org_a)
    client = client_for(org_a.billing_admin)
    url = reverse("billing:subscription_partner", args=[subscription.pk])
    assert "partner_id" in client.post(url, {"partner_id": "x1"}).context["form"].errors
    client.post(url, {"partner_id": "445566"})
    assert Subscription.objects.get(pk=subscription.pk).partner_id == "445566"


def test_payment_page_adds_a_card_and_switches_to_invoice(org_a, client_for):
    subscription = _bought(org_a)
    client = client_for(org_a.global_admin)
    url = reverse("billing:subscription_payment", args=[subscription.pk])
    response = client.post(url, {"form": "add", "number": "4000000000000002", "exp_month": 1, "exp_year": 2031,
                                 "cvc": "123", "holder_name": "G"})
    assert response.status_code == 200 and "declined" in response.content.decode()
    client.post(url, {"form": "add", "number": "5555555555554444", "exp_month": 1, "exp_year": 2031, "cvc": "123",
                      "holder_name": "G"})
    assert Subscription.objects.get(pk=subscription.pk).payment_method.last4 == "4444"
    invoice = PaymentMethod.objects.get(tenant=org_a.tenant, kind="invoice")
    client.post(url, {"form": "choose", "method": invoice.pk})
    assert Subscription.objects.get(pk=subscription.pk).payment_method == invoice


def test_card_edit_is_only_for_the_admin_who_added_it(org_a, client_for):
    method = _bought(org_a).payment_method  # added by the billing admin
    url = reverse("billing:card_edit", args=[method.pk])
    other = client_for(org_a.global_admin).post(url, {"exp_month": 2, "exp_year": 2033, "holder_name": "X"})
    assert 'id="card-not-yours"' in other.content.decode()
    assert PaymentMethod.objects.get(pk=method.pk).exp_year == 2030
    client_for(org_a.billing_admin).post(url, {"exp_month": 2, "exp_year": 2033, "holder_name": "X"})
    assert PaymentMethod.objects.get(pk=method.pk).exp_year == 2033


@pytest.mark.parametrize("role_name", ROLE_NAMES)
def test_every_billing_page_is_for_global_and_billing_admins_only(role_name, org_a, client_for):
    objects = TenantObjects(org_a)
    client = client_for(org_a.member(role_name))
    may = role_name in ("global_admin", "billing_admin")
    for name, route, callback in BILLING_PATTERNS:
        url = reverse(name, kwargs=objects.kwargs_for(route))
        status = client.get(url).status_code
        if status == 405:
            status = client.post(url).status_code
        assert (status == 403) is (not may), (name, status)
        assert (status == 403) is not (set(callback.required_perms) <= permissions_for(
            [] if role_name == "user" else [role_name]))


def test_every_billing_object_page_is_404_for_the_other_organization(org_a, org_b, client_for):
    objects = TenantObjects(org_a)
    client = client_for(org_b.global_admin)
    for name, route, _callback in BILLING_PATTERNS:
        if "<" not in route:
            continue
        url = reverse(name, kwargs=objects.kwargs_for(route))
        assert client.get(url).status_code in (404, 405), name
        assert client.post(url).status_code == 404, name
    assert Subscription.objects.get(pk=objects._subscription().pk).is_trial


def test_services_summary_adds_up_licenses_per_service(org_a, client_for, django_assert_max_num_queries):
    _bought(org_a, 10)  # E1: Exchange, SharePoint, Lync, Office Web Apps
    client = client_for(org_a.billing_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("billing:services"))
    services = {entry["name"]: entry for entry in response.context["services"]}
    # The sign-up trial (E3, 25 licenses) and the bought E1 both include Exchange Online.
    assert services["Exchange Online"]["total"] == 35
    assert services["Office Professional Plus"]["total"] == 25
    assert len(services["Exchange Online"]["subscriptions"]) == 2

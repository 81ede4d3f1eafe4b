"""Purchase → cart → checkout wizard → receipt in the portal, as a billing administrator."""

import pytest
from django.core import mail
from django.urls import reverse

from billing.models import Order, PaymentMethod, Subscription
from tests.billing.billinghelpers import DECLINE, VISA, buy, plan

pytestmark = pytest.mark.django_db


def _to_review(client, part_number="STANDARDPACK", quantity=5, number=VISA, **details):
    client.post(reverse("billing:purchase"), {"sku": plan(part_number).pk, "action": "add"})
    response = client.post(reverse("billing:checkout"), {
        "quantity_0": quantity, "street": "1 Main St", "city": "Springfield", "postal_code": "12345",
        "country": "US", "partner_id": "", **details})
    assert response.status_code == 302, response.context["form"].errors
    response = client.post(reverse("billing:checkout_payment"), {
        "how": "card", "number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123", "holder_name": "Grace"})
    return response


def test_purchase_page_lists_offers_with_prices_and_trials(org_a, client_for):
    response = client_for(org_a.billing_admin).get(reverse("billing:purchase"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Office 365 Enterprise E1" in content and "8.00 USD" in content
    assert 'id="trial-LITEPACK"' in content
    assert 'id="trial-ENTERPRISEPACK"' not in content  # the sign-up trial is running: no second trial


def test_checkout_details_default_to_the_organization_address(org_a, client_for):
    tenant = org_a.tenant
    tenant.street, tenant.city = "Keizersgracht 1", "Amsterdam"
    tenant.save(update_fields=["street", "city"])
    client = client_for(org_a.billing_admin)
    client.post(reverse("billing:purchase"), {"sku": plan("STANDARDPACK").pk, "action": "add"})
    form = client.get(reverse("billing:checkout")).context["form"]
    assert form.initial["street"] == "Keizersgracht 1" and form.initial["country"] == "US"


def test_whole_wizard_places_one_order_and_shows_the_receipt(org_a, client_for, django_capture_on_commit_callbacks):
    client = client_for(org_a.billing_admin)
    assert _to_review(client, partner_id="1234567", quantity=7).url == reverse("billing:checkout_review")
    review = client.get(reverse("billing:checkout_review"))
    assert "672.00 USD" in review.content.decode()  # 7 × 8.00 × 12
    key = review.context["state"]["key"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("billing:checkout_review"), {"key": key})
    order = Order.objects.get(tenant=org_a.tenant)
    assert response.status_code == 302 and response.url == reverse("billing:order", args=[order.pk]) + "?placed=1"
    # The same form sent again (a double click): the same order, nothing charged twice.
    again = client.post(reverse("billing:checkout_review"), {"key": key})
    assert again.url == response.url and Order.objects.filter(tenant=org_a.tenant).count() == 1
    receipt = client.get(response.url)
    assert 'id="order-receipt"' in receipt.content.decode()
    subscription = Subscription.objects.get(tenant=org_a.tenant, sku=plan("STANDARDPACK"))
    assert subscription.quantity == 7 and subscription.partner_id == "1234567"
    assert any("Your order 1" in m.subject for m in mail.outbox)


def test_quantity_over_the_seat_limit_is_a_field_error(org_a, client_for):
    client = client_for(org_a.billing_admin)
    client.post(reverse("billing:purchase"), {"sku": plan("LITEPACK").pk, "action": "add"})
    response = client.post(reverse("billing:checkout"), {"quantity_0": 26, "street": "x", "city": "y", "country": "US"})
    assert response.status_code == 200 and "quantity_0" in response.context["form"].errors


def test_bad_card_number_and_partner_id_are_field_errors(org_a, client_for):
    client = client_for(org_a.billing_admin)
    client.post(reverse("billing:purchase"), {"sku": plan("STANDARDPACK").pk, "action": "add"})
    response = client.post(reverse("billing:checkout"), {"quantity_0": 1, "street": "x", "city": "y", "country": "US",
                                                          "partner_id": "abc"})
    assert "partner_id" in response.context["form"].errors
    _to_review(client)
    response = client.post(reverse("billing:checkout_payment"), {
        "how": "card", "number": "4242424242424241", "exp_month": 12, "exp_year": 2030, "cvc": "123", "holder_name": "G"})
    assert response.status_code == 200 and "number" in response.context["form"].errors


def test_declined_card_shows_the_reason_and_keeps_the_cart(org_a, client_for):
    client = client_for(org_a.billing_admin)
    _to_review(client, number=DECLINE)
    key = client.get(reverse("billing:checkout_review")).context["state"]["key"]
    response = client.post(reverse("billing:checkout_review"), {"key": key})
    assert response.status_code == 200 and "declined" in response.context["error"]
    assert not Order.objects.filter(tenant=org_a.tenant).exists()
    assert not PaymentMethod.objects.filter(tenant=org_a.tenant).exists()


def test_invoice_payment_with_po_number(org_a, client_for):
    client = client_for(org_a.billing_admin)
    _to_review(client)
    client.post(reverse("billing:checkout_payment"), {"how": "invoice", "po_number": "PO-1"})
    key = client.get(reverse("billing:checkout_review")).context["state"]["key"]
    client.post(reverse("billing:checkout_review"), {"key": key})
    order = Order.objects.get(tenant=org_a.tenant)
    assert order.payment_kind == "invoice" and order.po_number == "PO-1" and order.due_at is not None


def test_trial_button_starts_a_trial(org_a, client_for):
    response = client_for(org_a.global_admin).post(reverse("billing:purchase"), {"sku": plan("LITEPACK").pk,
                                                                                  "action": "trial"})
    assert response.url == reverse("billing:subscriptions")
    assert Subscription.objects.get(tenant=org_a.tenant, sku=plan("LITEPACK")).is_trial


def test_buy_now_keeps_the_trial_subscription(org_a, client_for):
    client = client_for(org_a.billing_admin)
    trial = Subscription.objects.get(tenant=org_a.tenant, is_trial=True)
    response = client.post(reverse("billing:buy_now", args=[trial.pk]))
    assert response.url == reverse("billing:checkout")
    client.post(reverse("billing:checkout"), {"quantity_0": 30, "street": "x", "city": "y", "country": "US"})
    client.post(reverse("billing:checkout_payment"), {"how": "card", "number": VISA, "exp_month": 12, "exp_year": 2030,
                                                      "cvc": "123", "holder_name": "G"})
    key = client.get(reverse("billing:checkout_review")).context["state"]["key"]
    client.post(reverse("billing:checkout_review"), {"key": key})
    trial.refresh_from_db()
    assert (trial.is_trial, trial.quantity) == (False, 30)


@pytest.mark.parametrize("role", ["user_admin", "password_admin", "service_admin", "user"])
def test_roles_without_billing_get_403(org_a, client_for, role):
    client = client_for(org_a.member(role))
    for name in ("billing:purchase", "billing:cart", "billing:checkout", "billing:history", "billing:subscriptions"):
        assert client.get(reverse(name)).status_code == 403, name


def test_other_tenant_order_is_404(org_a, org_b, client_for):
    order = buy(org_a)
    client = client_for(org_b.global_admin)
    assert client.get(reverse("billing:order", args=[order.pk])).status_code == 404
    assert client.get(reverse("billing:order_invoice", args=[order.pk])).status_code == 404
    trial = Subscription.objects.get(tenant=org_a.tenant, is_trial=True)
    assert client.post(reverse("billing:buy_now", args=[trial.pk])).status_code == 404

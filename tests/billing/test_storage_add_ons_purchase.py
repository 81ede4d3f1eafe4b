"""Buying storage add-ons: only with an active paid base plan (or one in the same order), units with no seat limit and
no trial, through the same cart and checkout as plans; behind the role check and the partner billing lock."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing.access import BillingLocked
from billing.models import Order, Subscription
from billing.services import CartItem, checkout_place, trial_start
from billing.subscription_services import subscription_cancel
from tenantadmin.actors import Actor
from tests.billing.billinghelpers import T0, VISA, buy, card, plan
from tests.billing.partnerlockhelpers import enrolled_partner, partner_actor

pytestmark = pytest.mark.django_db
ADD_ON = "SHAREPOINTSTORAGE"
ADDRESS = {"street": "1 Main St", "city": "Springfield", "state": "", "postal_code": "12345", "country": "US"}


def _place(org, items, actor=None):
    return checkout_place(tenant=org.tenant, actor=actor or Actor.for_user(org.billing_admin), items=items,
                          service_address=ADDRESS, payment=card(), idempotency_key=uuid.uuid4().hex, now=T0)


def _checkout(client, quantities: dict):
    """Details → payment → review → place; returns the response of placing the order."""
    fields = {f"quantity_{index}": quantity for index, quantity in quantities.items()}
    response = client.post(reverse("billing:checkout"), {**fields, "street": "1 Main St", "city": "Springfield",
                                                         "postal_code": "12345", "country": "US", "partner_id": ""})
    assert response.status_code == 302, response.context["form"].errors
    client.post(reverse("billing:checkout_payment"), {"how": "card", "number": VISA, "exp_month": 12,
                                                      "exp_year": 2030, "cvc": "123", "holder_name": "Grace"})
    review = client.get(reverse("billing:checkout_review"))
    return review, client.post(reverse("billing:checkout_review"), {"key": review.context["state"]["key"]})


# --- the purchase page ----------------------------------------------------------------------------------------

def test_without_a_paid_base_plan_the_add_on_says_which_plan_it_needs(org_a, client_for):
    # org_a only runs the sign-up trial of E3: a trial may end, it carries no storage bought for a year.
    page = client_for(org_a.billing_admin).get(reverse("billing:purchase")).content.decode()
    assert 'id="add-ons"' in page and "Extra file storage" in page and "0.20 USD" in page
    assert f'id="add-{ADD_ON}"' not in page and f'id="trial-{ADD_ON}"' not in page
    requires = page.split(f'id="requires-{ADD_ON}"')[1].split("</p>")[0]
    assert "Office 365 Enterprise E3" in requires and "Office 365 Small Business (P1)" in requires


def test_with_an_active_paid_base_plan_the_add_on_can_be_added(org_a, client_for):
    buy(org_a, "STANDARDPACK", 5)
    client = client_for(org_a.billing_admin)
    page = client.get(reverse("billing:purchase")).content.decode()
    assert f'id="add-{ADD_ON}"' in page and f'id="requires-{ADD_ON}"' not in page
    # Add-ons are not among the plans for users (no trial, no "per license" card).
    plans = page.split('id="add-ons"')[0]
    assert ADD_ON not in plans
    assert "File storage: 10 GB for the organization and 0.5 GB more per license." in plans


def test_adding_an_add_on_without_a_base_plan_is_refused_with_the_reason(org_a, client_for):
    client = client_for(org_a.billing_admin)
    response = client.post(reverse("billing:purchase"), {"sku": plan(ADD_ON).pk, "action": "add"}, follow=True)
    assert "needs an active paid subscription" in response.content.decode()
    assert not client.session.get("billing_cart")
    response = client.post(reverse("billing:purchase"), {"sku": plan(ADD_ON).pk, "action": "trial"}, follow=True)
    assert "has no free trial" in response.content.decode()
    assert not Subscription.objects.filter(tenant=org_a.tenant, sku=plan(ADD_ON)).exists()


def test_the_whole_wizard_buys_units_of_storage(org_a, client_for):
    buy(org_a, "LITEPACK", 25)  # a seat limit of 25 licenses does not limit the add-on's units
    client = client_for(org_a.billing_admin)
    client.post(reverse("billing:purchase"), {"sku": plan(ADD_ON).pk, "action": "add"})
    cart = client.get(reverse("billing:cart")).content.decode()
    assert "1 unit (1 GB)" in cart
    details = client.get(reverse("billing:checkout"))
    assert details.context["form"].fields["quantity_0"].label == "Units of Extra file storage"
    review, placed = _checkout(client, {0: 300})
    assert "300 units (300 GB)" in review.content.decode()
    assert "720.00 USD" in review.content.decode()  # 300 × 0.20 × 12
    assert placed.status_code == 302
    subscription = Subscription.objects.get(tenant=org_a.tenant, sku=plan(ADD_ON))
    assert (subscription.quantity, subscription.is_trial, subscription.status) == (300, False, Subscription.Status.ENABLED)
    assert subscription.unit_price == Decimal("0.20")


def test_a_base_plan_and_an_add_on_can_be_bought_in_one_order(org_a, client_for):
    client = client_for(org_a.billing_admin)
    client.post(reverse("billing:purchase"), {"sku": plan("STANDARDPACK").pk, "action": "add"})
    response = client.post(reverse("billing:purchase"), {"sku": plan(ADD_ON).pk, "action": "add"})
    assert response.url == reverse("billing:cart")
    _review, placed = _checkout(client, {0: 3, 1: 20})
    assert placed.status_code == 302
    order = Order.objects.get(tenant=org_a.tenant)
    assert sorted((line.sku.part_number, line.quantity) for line in order.lines.all()) == [
        (ADD_ON, 20), ("STANDARDPACK", 3)]


# --- the checkout service -------------------------------------------------------------------------------------

def test_checkout_of_an_add_on_without_a_base_plan_places_nothing(org_a):
    with pytest.raises(ValidationError) as refused:
        _place(org_a, [CartItem(sku=plan(ADD_ON), quantity=10)])
    assert refused.value.code == "add_on_requires_base"
    assert not Order.objects.filter(tenant=org_a.tenant).exists()
    assert not Subscription.objects.filter(tenant=org_a.tenant, sku=plan(ADD_ON)).exists()


def test_a_plan_that_is_no_base_of_the_add_on_does_not_allow_it(org_a):
    buy(org_a, "EXCHANGESTANDARD", 5)  # no file storage in Exchange Online (Plan 1)
    with pytest.raises(ValidationError, match="needs an active paid subscription"):
        _place(org_a, [CartItem(sku=plan(ADD_ON), quantity=10)])


def test_a_cancelled_base_plan_does_not_allow_new_add_ons(org_a):
    base = buy(org_a, "STANDARDPACK", 5).lines.get().subscription
    subscription_cancel(subscription=base, reason="Too expensive", actor=Actor.for_user(org_a.billing_admin), now=T0)
    with pytest.raises(ValidationError, match="needs an active paid subscription"):
        _place(org_a, [CartItem(sku=plan(ADD_ON), quantity=10)])


def test_buy_now_on_the_base_trial_in_the_same_order_allows_the_add_on(org_a):
    trial = Subscription.objects.get(tenant=org_a.tenant, is_trial=True)
    order = _place(org_a, [CartItem(sku=trial.sku, quantity=5, convert=trial), CartItem(sku=plan(ADD_ON), quantity=8)])
    assert order.status == Order.Status.COMPLETED
    assert Subscription.objects.get(tenant=org_a.tenant, sku=plan(ADD_ON)).quantity == 8


def test_add_on_units_must_be_at_least_one_and_have_no_trial(org_a):
    buy(org_a, "STANDARDPACK", 5)
    with pytest.raises(ValidationError, match="at least one unit"):
        _place(org_a, [CartItem(sku=plan(ADD_ON), quantity=0)])
    with pytest.raises(ValidationError, match="no free trial"):
        trial_start(tenant=org_a.tenant, sku=plan(ADD_ON), actor=Actor.for_user(org_a.billing_admin))


def test_add_on_is_priced_in_the_organizations_currency_and_rounded(db):
    from types import SimpleNamespace

    from tests.factories import make_tenant

    tenant, admin = make_tenant("tokyo", country="JP")
    org = SimpleNamespace(tenant=tenant, billing_admin=admin)
    buy(org, "STANDARDPACK", 2, country="JP")
    order = checkout_place(tenant=tenant, actor=Actor.for_user(admin), items=[CartItem(sku=plan(ADD_ON), quantity=7)],
                           service_address={**ADDRESS, "country": "JP"}, payment=card(), idempotency_key="jp", now=T0)
    # 7 × 22 JPY × 12 = 1,848; tax 10% = 184.8 → 185 (whole yen)
    assert (order.currency, order.subtotal, order.tax, order.total) == ("JPY", Decimal("1848"), Decimal("185"),
                                                                        Decimal("2033"))


# --- access ---------------------------------------------------------------------------------------------------

def test_roles_without_billing_rights_get_403(org_a, client_for):
    for role in ("user_admin", "password_admin", "service_admin", "user"):
        response = client_for(org_a.member(role)).post(reverse("billing:purchase"),
                                                       {"sku": plan(ADD_ON).pk, "action": "add"})
        assert response.status_code == 403, role


def test_partner_lock_refuses_buying_an_add_on_but_the_partner_can(org_a, client_for):
    partner_tenant, partner_admin = enrolled_partner()
    buy(org_a, "STANDARDPACK", 5, actor=partner_actor(partner_admin, org_a.tenant))  # sold through the partner
    client = client_for(org_a.billing_admin)
    response = client.post(reverse("billing:purchase"), {"sku": plan(ADD_ON).pk, "action": "add"})
    assert response.status_code == 403 and "Fabrikam Partners" in response.content.decode()
    assert not client.session.get("billing_cart")
    with pytest.raises(BillingLocked):
        _place(org_a, [CartItem(sku=plan(ADD_ON), quantity=10)])
    assert not Subscription.objects.filter(tenant=org_a.tenant, sku=plan(ADD_ON)).exists()
    order = _place(org_a, [CartItem(sku=plan(ADD_ON), quantity=10)], actor=partner_actor(partner_admin, org_a.tenant))
    add_on = order.lines.get().subscription
    assert add_on.quantity == 10 and add_on.reseller_id == partner_tenant.pk

"""Bought through a partner (SPEC billing/ "Partners"): orders placed by a partner's people are sales through the
partner; from then on the organization's own admins cannot change billing — portal, API and services refuse with
403 and nothing changes — while reading stays open and the partner's people acting for the customer still can."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from billing.access import BillingLocked, billing_lock
from billing.models import Order, PaymentMethod, Subscription
from billing.partner_services import partner_profile_save, partner_unenrol
from billing.selectors import banner_forget, billing_partner
from billing.services import Payment, order_credit_check_decide, trial_start
from billing.subscription_services import (
    card_add, card_remove, card_update, partner_set, quantity_change, subscription_cancel, subscription_payment_change,
    subscription_reactivate, subscription_renew,
)
from tenantadmin.actors import Actor
from tenantadmin.delegation import ACTING_SESSION_KEY
from tenantadmin.models import AuditEvent
from tests.billing.billinghelpers import REVIEW, T0, VISA, buy, card, plan
from tests.billing.partnerlockhelpers import PARTNER_ID, delegate, enrolled_partner, partner_actor
from tests.portal_urls import TenantObjects, portal_patterns
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for, user_token

pytestmark = pytest.mark.django_db
LATER = T0 + timedelta(days=10)
# Billing pages that only read: never locked.
READ_NAMES = {"billing:subscriptions", "billing:services", "billing:subscription", "billing:history", "billing:order",
              "billing:order_invoice"}
# Every other page of the subscription and billing modules changes billing (the partners' pages live elsewhere).
BILLING_MODULES = ("billing.views", "billing.purchase_views", "billing.history_views")
WRITE_PATTERNS = [(name, route) for name, route, callback in portal_patterns()
                  if callback.__module__ in BILLING_MODULES and name not in READ_NAMES]


@pytest.fixture
def partner(db):
    tenant, admin = enrolled_partner()
    return tenant, admin


@pytest.fixture
def sold(org_a, partner):
    """An E1 subscription of A that the partner's global admin bought for A."""
    partner_tenant, partner_admin = partner
    order = buy(org_a, "STANDARDPACK", 10, now=T0, actor=partner_actor(partner_admin, org_a.tenant))
    return order.lines.get().subscription


def _snapshot(org):
    subscriptions = list(Subscription.objects.filter(tenant=org.tenant).order_by("pk").values_list(
        "pk", "status", "quantity", "partner_id", "cancel_requested_at", "payment_method_id", "auto_renew", "ends_at"))
    methods = list(PaymentMethod.objects.filter(tenant=org.tenant).order_by("pk").values_list(
        "pk", "removed_at", "exp_month", "exp_year", "holder_name"))
    return (subscriptions, methods, Order.objects.filter(tenant=org.tenant).count(),
            AuditEvent.objects.filter(tenant=org.tenant).count())


# --- sales through a partner ----------------------------------------------------------------------------------

def test_an_order_placed_by_a_partner_is_a_sale_through_it(org_a, partner, sold):
    partner_tenant, _admin = partner
    order = Order.objects.get(tenant=org_a.tenant)
    assert order.placed_by_partner_id == partner_tenant.pk and order.partner_id == PARTNER_ID
    assert (sold.reseller_id, sold.partner_id) == (partner_tenant.pk, PARTNER_ID)
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="subscription.reseller")
    assert event.actor_type == AuditEvent.ActorType.PARTNER and event.changes["reseller"] == [None, str(partner_tenant.pk)]
    assert AuditEvent.objects.get(tenant=org_a.tenant, action="subscription.create").changes["plan"] == [None, "STANDARDPACK"]
    assert AuditEvent.objects.get(tenant=org_a.tenant, action="order.purchase").changes["placed_by_partner"] == [
        None, PARTNER_ID]


def test_a_partner_id_given_at_checkout_stays_the_partner_of_record(org_a, partner):
    from billing.services import CartItem, checkout_place

    _tenant, partner_admin = partner
    order = checkout_place(tenant=org_a.tenant, actor=partner_actor(partner_admin, org_a.tenant),
                           items=[CartItem(sku=plan("STANDARDPACK"), quantity=2)],
                           service_address={"country": "US"}, payment=card(), partner_id="1234567",
                           idempotency_key="k1", now=T0)
    subscription = order.lines.get().subscription
    assert order.partner_id == subscription.partner_id == "1234567"
    assert subscription.reseller_id == partner[0].pk


def test_own_orders_are_not_sales_through_a_partner(org_a):
    subscription = buy(org_a, now=T0).lines.get().subscription
    assert subscription.reseller_id is None and Order.objects.get(tenant=org_a.tenant).placed_by_partner_id is None
    assert billing_partner(tenant=org_a.tenant) is None


def test_a_trial_converted_by_the_partner_is_sold_through_it(org_a, partner):
    trial = org_a.tenant.subscriptions.get(is_trial=True)
    buy(org_a, "ENTERPRISEPACK", 5, now=T0, convert=trial, actor=partner_actor(partner[1], org_a.tenant))
    trial.refresh_from_db()
    assert (trial.is_trial, trial.reseller_id, trial.partner_id) == (False, partner[0].pk, PARTNER_ID)


def test_a_quantity_change_by_the_partner_makes_it_the_reseller_and_keeps_the_partner_of_record(org_a, partner):
    subscription = buy(org_a, now=T0).lines.get().subscription
    partner_set(subscription=subscription, partner_id="99887766", actor=Actor.for_user(org_a.billing_admin))
    order = quantity_change(subscription=subscription, new_quantity=12, actor=partner_actor(partner[1], org_a.tenant),
                            now=LATER)
    subscription.refresh_from_db()
    assert order.placed_by_partner_id == partner[0].pk
    assert (subscription.quantity, subscription.reseller_id, subscription.partner_id) == (12, partner[0].pk, "99887766")


def test_a_purchase_waiting_for_a_credit_check_is_sold_through_the_partner_once_approved(org_a, partner, settings):
    settings.BILLING_CREDIT_LIMIT = 100
    order = buy(org_a, "STANDARDPACK", 10, now=T0, payment=Payment(kind=PaymentMethod.Kind.INVOICE),
                actor=partner_actor(partner[1], org_a.tenant))
    assert order.status == Order.Status.CREDIT_CHECK and billing_partner(tenant=org_a.tenant) is None
    order_credit_check_decide(order=order, approved=True, actor=Actor.system("credit desk"), now=T0)
    subscription = Subscription.objects.get(tenant=org_a.tenant, sku=plan("STANDARDPACK"))
    assert subscription.reseller_id == partner[0].pk
    assert billing_partner(tenant=org_a.tenant).tenant.name == "Fabrikam Partners"


def test_a_card_added_by_a_partner_is_not_a_sale(org_a, partner):
    card_add(tenant=org_a.tenant, actor=partner_actor(partner[1], org_a.tenant), number=VISA, exp_month=12,
             exp_year=2030, cvc="123", holder_name="Partner", now=T0)
    assert billing_partner(tenant=org_a.tenant) is None


# --- the selector --------------------------------------------------------------------------------------------

def test_billing_partner_names_the_partner_with_its_contact_in_one_cached_query(org_a, sold,
                                                                               django_assert_num_queries):
    cache.clear()
    with django_assert_num_queries(1):
        found = billing_partner(tenant=org_a.tenant)
    assert (found.tenant.name, found.partner_id, found.support_email, found.support_phone, found.support_url) == (
        "Fabrikam Partners", PARTNER_ID, "billing@fabrikam.example", "+1 425 555 0100",
        "https://fabrikam.example/support")
    with django_assert_num_queries(0):
        assert billing_partner(tenant=org_a.tenant).tenant.pk == sold.reseller_id


def test_a_deleted_subscription_no_longer_binds_the_organization_to_the_partner(org_a, sold):
    assert billing_partner(tenant=org_a.tenant) is not None
    Subscription.objects.filter(pk=sold.pk).update(status=Subscription.Status.DELETED)
    banner_forget(org_a.tenant.pk)
    assert billing_partner(tenant=org_a.tenant) is None
    assert billing_lock(tenant=org_a.tenant, actor=Actor.for_user(org_a.global_admin)) is None


def test_a_partner_that_is_no_longer_enrolled_binds_nobody(org_a, partner, sold):
    partner[0].partner_profile.delete()
    banner_forget(org_a.tenant.pk)
    assert billing_partner(tenant=org_a.tenant) is None


def test_the_selector_is_per_organization(org_a, org_b, sold):
    assert billing_partner(tenant=org_a.tenant) is not None
    assert billing_partner(tenant=org_b.tenant) is None


# --- the lock ------------------------------------------------------------------------------------------------

def test_the_lock_stops_own_people_and_apps_but_not_the_selling_partner_or_the_operator(org_a, partner, sold):
    from tests.tenantadmin.api.apihelpers import register_app

    app, _secret, _plain = register_app(org_a.tenant, ["Billing.ReadWrite.All"], name="A's billing script")
    for actor in (Actor.for_user(org_a.global_admin), Actor.for_user(org_a.billing_admin), Actor.for_app(app)):
        assert billing_lock(tenant=org_a.tenant, actor=actor).partner_id == PARTNER_ID
    assert billing_lock(tenant=org_a.tenant, actor=partner_actor(partner[1], org_a.tenant)) is None
    assert billing_lock(tenant=org_a.tenant, actor=Actor.system("subscription lifecycle")) is None
    other_partner, other_admin = enrolled_partner("contosopartner")
    assert billing_lock(tenant=org_a.tenant, actor=partner_actor(other_admin, org_a.tenant)) is not None


def test_every_billing_service_refuses_own_admins_and_changes_nothing(org_a, partner, sold):
    own = Actor.for_user(org_a.global_admin)
    own_card = PaymentMethod.objects.get(tenant=org_a.tenant, kind=PaymentMethod.Kind.CARD)
    PaymentMethod.objects.filter(pk=own_card.pk).update(created_by=org_a.global_admin)
    own_card.refresh_from_db()
    before = _snapshot(org_a)
    attempts = [
        lambda: buy(org_a, "ENTERPRISEPACK", 1, now=LATER, actor=own),
        lambda: trial_start(tenant=org_a.tenant, sku=plan("EXCHANGESTANDARD"), actor=own, now=LATER),
        lambda: quantity_change(subscription=sold, new_quantity=11, actor=own, now=LATER),
        lambda: subscription_cancel(subscription=sold, reason="x", actor=own, now=LATER),
        lambda: subscription_reactivate(subscription=sold, actor=own),
        lambda: subscription_renew(subscription=sold, actor=own, now=LATER),
        lambda: partner_set(subscription=sold, partner_id="12345", actor=own),
        lambda: subscription_payment_change(subscription=sold, method=own_card, actor=own),
        lambda: card_add(tenant=org_a.tenant, actor=own, number=VISA, exp_month=1, exp_year=2031, cvc="123",
                         holder_name="Own", now=LATER),
        lambda: card_update(method=own_card, actor=own, exp_month=1, exp_year=2031, holder_name="Own", now=LATER),
        lambda: card_remove(method=own_card, actor=own, now=LATER),
    ]
    for attempt in attempts:
        with pytest.raises(BillingLocked) as refused:
            attempt()
        assert isinstance(refused.value, PermissionDenied) and "Fabrikam Partners" in str(refused.value)
    assert _snapshot(org_a) == before


def test_the_selling_partner_still_changes_billing(org_a, partner, sold):
    acting = partner_actor(partner[1], org_a.tenant)
    quantity_change(subscription=sold, new_quantity=15, actor=acting, now=LATER)
    subscription_cancel(subscription=sold, reason="Moving plans", actor=acting, now=LATER)
    sold.refresh_from_db()
    assert sold.quantity == 15 and sold.is_cancelled


# --- the portal: the organization's own admins ----------------------------------------------------------------

def _write_urls(org):
    objects = TenantObjects(org)
    # The walker's order (and card) comes from the operator: the organization's own admins can no longer buy.
    objects._cache["order"] = buy(org, "STANDARDPACK", 1, now=T0, actor=Actor.system("walker"))
    return [(name, reverse(name, kwargs=objects.kwargs_for(route))) for name, route in WRITE_PATTERNS]


@pytest.mark.parametrize("role_name", ["global_admin", "billing_admin"])
def test_own_admins_see_whom_to_contact_instead_of_forms_and_every_post_is_refused(role_name, org_a, sold,
                                                                                   client_for):
    with time_machine.travel(LATER, tick=False):
        urls = _write_urls(org_a)  # makes an order of A's own first (the walker's objects), before the snapshot
        assert {"billing:purchase", "billing:checkout_review", "billing:subscription_quantity", "billing:card_remove",
                "billing:subscription_renew", "billing:buy_now"} <= {name for name, _url in urls}
        before = _snapshot(org_a)
        client = client_for(org_a.member(role_name))
        for name, url in urls:
            response = client.get(url)
            assert response.status_code in (200, 405), (name, response.status_code)
            if response.status_code == 200:
                page = response.content.decode()
                assert 'id="bought-through-partner"' in page and "Fabrikam Partners" in page, name
                assert "billing@fabrikam.example" in page and "+1 425 555 0100" in page, name
                assert "<form method=\"post\"" not in page.split('id="bought-through-partner"')[1], name
            response = client.post(url, {"quantity": 3, "confirm": "1", "reason": "other", "confirm_conflict": "on",
                                         "partner_id": "12345", "sku": str(plan("ENTERPRISEPACK").pk),
                                         "form": "choose", "method": str(sold.payment_method_id)})
            assert response.status_code == 403, (name, response.status_code)
            assert "Fabrikam Partners" in response.content.decode(), name
        assert _snapshot(org_a) == before
        assert not client.session.get("billing_cart")


def test_reading_stays_open_and_says_who_to_contact(org_a, sold, client_for):
    client = client_for(org_a.billing_admin)
    listing = client.get(reverse("billing:subscriptions")).content.decode()
    assert 'id="bought-through-partner"' in listing and 'id="purchase"' not in listing
    detail = client.get(reverse("billing:subscription", args=[sold.pk])).content.decode()
    assert 'id="bought-through-partner"' in detail
    assert 'id="change-licenses"' not in detail and 'id="cancel-subscription"' not in detail
    assert reverse("billing:subscription_payment", args=[sold.pk]) not in detail
    order = Order.objects.get(tenant=org_a.tenant)
    for url in (reverse("billing:history"), reverse("billing:order", args=[order.pk]),
                reverse("billing:order_invoice", args=[order.pk]), reverse("billing:services")):
        assert client.get(url).status_code == 200, url


def test_an_organization_without_a_partner_sees_no_notice(org_a, client_for):
    buy(org_a, now=T0)
    page = client_for(org_a.billing_admin).get(reverse("billing:subscriptions")).content.decode()
    assert 'id="bought-through-partner"' not in page and 'id="purchase"' in page


def test_the_locked_page_is_still_404_for_another_organizations_objects(org_a, org_b, sold, client_for):
    response = client_for(org_b.global_admin).get(reverse("billing:subscription_quantity", args=[sold.pk]))
    assert response.status_code == 404


def test_roles_without_billing_get_403_not_the_partner_page(org_a, sold, client_for):
    for role_name in ("user_admin", "password_admin", "service_admin", "user"):
        response = client_for(org_a.member(role_name)).get(reverse("billing:subscription_quantity", args=[sold.pk]))
        assert response.status_code == 403 and "Fabrikam" not in response.content.decode()


def test_the_support_page_can_show_the_partner_through_the_template_tag(org_a, org_b, sold, rf):
    from django.template import Context, Template

    request = rf.get("/")
    request.tenant = org_a.tenant
    text = Template("{% load bought_through %}{% bought_through_partner as p %}[{{ p.tenant.name }}]"
                    "{% bought_through_notice %}").render(Context({"request": request}))
    assert "[Fabrikam Partners]" in text and 'id="bought-through-partner"' in text
    request.tenant = org_b.tenant
    assert Template("{% load bought_through %}{% bought_through_notice %}").render(
        Context({"request": request})).strip() == ""


# --- the portal: the partner's people acting for the customer ------------------------------------------------

def test_the_partners_people_acting_for_the_customer_can_change_billing(org_a, partner, sold, client_for):
    partner_tenant, partner_admin = partner
    delegate(org_a.tenant, partner_tenant)
    with time_machine.travel(LATER, tick=False):
        client = client_for(partner_admin)
        session = client.session
        session[ACTING_SESSION_KEY] = {"id": str(org_a.tenant.pk), "name": org_a.tenant.name}
        session.save()
        url = reverse("billing:subscription_quantity", args=[sold.pk])
        page = client.get(url)
        assert page.status_code == 200 and 'id="bought-through-partner"' not in page.content.decode()
        assert 'name="quantity"' in page.content.decode()
        response = client.post(url, {"quantity": 14, "confirm": "1", "key": "partner-change-1"})
        assert response.status_code == 302, response.content.decode()[:500]
    sold.refresh_from_db()
    assert sold.quantity == 14
    change = Order.objects.get(tenant=org_a.tenant, kind=Order.Kind.QUANTITY)
    assert change.placed_by_partner_id == partner_tenant.pk
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="subscription.quantity",
                                     actor_type=AuditEvent.ActorType.PARTNER).exists()
    # The customer's own admins are still sent to the partner.
    own = client_for(org_a.billing_admin).post(url, {"quantity": 2, "confirm": "1", "confirm_conflict": "on"})
    assert own.status_code == 403


# --- the API -------------------------------------------------------------------------------------------------

WRITES = "/v1.0/tenantadmin/billing/subscriptions/{}/{}"


@pytest.fixture
def frozen():
    with time_machine.travel(LATER, tick=False):
        yield


@pytest.mark.parametrize("who", ["app", "billing_admin"])
def test_api_writes_are_403_naming_the_partner_and_change_nothing(who, client, org_a, sold, frozen):
    token = (token_for(client, org_a.tenant, ["Billing.ReadWrite.All"]) if who == "app"
             else user_token(client, org_a.billing_admin))
    api = Api(client, token)
    before = _snapshot(org_a)
    for action, body in (("changeQuantity", {"quantity": 3, "confirmLicenseConflict": True}),
                         ("changeQuantity", {"quantity": 12, "preview": True}),
                         ("cancel", {"reason": "Too expensive"}), ("reactivate", None)):
        response = api.post(WRITES.format(sold.pk, action), body)
        assert_graph_error(response, 403, "Authorization_RequestDenied")
        message = response.json()["error"]["message"]
        assert "Fabrikam Partners" in message and "billing@fabrikam.example" in message, message
    assert _snapshot(org_a) == before
    listed = api.get("/v1.0/directory/subscriptions")
    assert listed.status_code == 200 and any(s["id"] == str(sold.pk) for s in listed.json()["value"])
    assert api.get("/v1.0/tenantadmin/billing/orders").status_code == 200


def test_api_other_organization_still_gets_404_and_roles_403(client, org_a, org_b, sold, frozen):
    other = Api(client, token_for(client, org_b.tenant, ["Billing.ReadWrite.All"]))
    assert_graph_error(other.post(WRITES.format(sold.pk, "cancel"), {"reason": "x"}), 404, "Request_ResourceNotFound")
    reader = Api(client, token_for(client, org_a.tenant, ["Billing.Read.All"]))
    response = reader.post(WRITES.format(sold.pk, "cancel"), {"reason": "x"})
    assert_graph_error(response, 403, "Authorization_RequestDenied")
    assert "Fabrikam" not in response.json()["error"]["message"]


def test_api_writes_work_again_once_nothing_is_bought_through_the_partner(client, org_a, sold, frozen):
    Subscription.objects.filter(pk=sold.pk).update(status=Subscription.Status.DELETED)
    banner_forget(org_a.tenant.pk)
    own = buy(org_a, now=LATER).lines.get().subscription
    api = Api(client, token_for(client, org_a.tenant, ["Billing.ReadWrite.All"]))
    response = api.post(WRITES.format(own.pk, "cancel"), {"reason": "Too expensive"})
    assert response.status_code == 200, response.content


def test_a_review_card_purchase_by_the_partner_waits_and_binds_nothing_until_approved(org_a, partner):
    order = buy(org_a, "STANDARDPACK", 3, now=T0, payment=card(REVIEW), actor=partner_actor(partner[1], org_a.tenant))
    assert order.status == Order.Status.CREDIT_CHECK and order.placed_by_partner_id == partner[0].pk
    order_credit_check_decide(order=order, approved=False, actor=Actor.system("credit desk"), now=T0)
    assert billing_lock(tenant=org_a.tenant, actor=Actor.for_user(org_a.global_admin)) is None


def test_a_changed_partner_contact_shows_to_its_customers_at_once(org_a, partner, sold, django_capture_on_commit_callbacks):
    assert billing_partner(tenant=org_a.tenant).support_phone == "+1 425 555 0100"  # cached now
    profile = partner[0].partner_profile
    profile.support_phone = "+1 425 555 0199"
    with django_capture_on_commit_callbacks(execute=True):
        partner_profile_save(profile=profile, actor=Actor.system("staff"), changed=["support_phone"])
    assert billing_partner(tenant=org_a.tenant).support_phone == "+1 425 555 0199"


def test_unenrolling_the_partner_lifts_its_customers_lock_at_once(org_a, partner, sold, django_capture_on_commit_callbacks):
    assert billing_partner(tenant=org_a.tenant) is not None  # cached now
    with django_capture_on_commit_callbacks(execute=True):
        partner_unenrol(profile=partner[0].partner_profile, actor=Actor.system("staff"))
    assert billing_partner(tenant=org_a.tenant) is None
    assert billing_lock(tenant=org_a.tenant, actor=Actor.for_user(org_a.global_admin)) is None

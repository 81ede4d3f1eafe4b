"""Changes to running subscriptions: prorated quantity changes, payment details, partner, cancel, reactivate."""

from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from billing.models import Order, PaymentMethod, Subscription
from billing.subscription_services import (
    card_add, card_update, partner_set, quantity_change, quantity_quote, subscription_cancel, subscription_payment_change,
    subscription_reactivate,
)
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.billing.billinghelpers import DECLINE, buy
from tests.factories import make_tenant

pytestmark = pytest.mark.django_db
SEPT = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)  # 181 of the term's 365 days left


def _subscription(org, part="STANDARDPACK", quantity=10, **kwargs):
    return buy(org, part, quantity, **kwargs).lines.get().subscription


def test_increase_is_prorated_for_the_rest_of_the_term(org_a):
    subscription = _subscription(org_a)
    quote = quantity_quote(subscription=subscription, new_quantity=15, now=SEPT)
    line = quote.lines[0]
    # 5 licenses × 8.00 × 12 months × 181/365 days = 238.0273… → 238.03
    assert (line.quantity, line.amount, line.months) == (5, Decimal("238.03"), Decimal("5.9507"))
    order = quantity_change(subscription=subscription, new_quantity=15, actor=Actor.for_user(org_a.billing_admin), now=SEPT)
    assert order.total == Decimal("238.03") and order.kind == Order.Kind.QUANTITY and order.paid_at == SEPT
    assert Subscription.objects.get(pk=subscription.pk).quantity == 15
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="subscription.quantity").exists()


def test_decrease_needs_confirmation_and_is_credited(org_a):
    subscription = _subscription(org_a)
    actor = Actor.for_user(org_a.billing_admin)
    with pytest.raises(ValidationError, match="license conflict"):
        quantity_change(subscription=subscription, new_quantity=7, actor=actor, now=SEPT)
    assert Subscription.objects.get(pk=subscription.pk).quantity == 10
    order = quantity_change(subscription=subscription, new_quantity=7, actor=actor, conflict_confirmed=True, now=SEPT)
    # −3 × 8.00 × 12 × 181/365 = −142.8164… → −142.82, a credit note
    assert order.total == Decimal("-142.82") and order.is_credit
    assert Subscription.objects.get(pk=subscription.pk).quantity == 7


def test_yen_proration_rounds_to_whole_yen(db):
    tenant, admin = make_tenant("osaka", country="JP")
    org = SimpleNamespace(tenant=tenant, billing_admin=admin)
    subscription = _subscription(org, "LITEPACK", 3, country="JP")
    quote = quantity_quote(subscription=subscription, new_quantity=5, now=SEPT)
    # 2 × 650 × 12 × 181/365 = 7,735.89… → 7,736 JPY; 10% tax 773.6 → 774
    assert (quote.subtotal, quote.tax, quote.total) == (Decimal("7736"), Decimal("774"), Decimal("8510"))


def test_quantity_rules(org_a):
    subscription = _subscription(org_a, "LITEPACK", 20)
    with pytest.raises(ValidationError, match="at most 25"):
        quantity_quote(subscription=subscription, new_quantity=26, now=SEPT)
    with pytest.raises(ValidationError, match="different"):
        quantity_quote(subscription=subscription, new_quantity=20, now=SEPT)
    trial = Subscription.objects.get(tenant=org_a.tenant, is_trial=True)
    with pytest.raises(ValidationError, match="Buy now"):
        quantity_quote(subscription=trial, new_quantity=30, now=SEPT)


def test_same_key_changes_quantity_once(org_a):
    subscription = _subscription(org_a)
    actor = Actor.for_user(org_a.billing_admin)
    first = quantity_change(subscription=subscription, new_quantity=12, actor=actor, idempotency_key="q1", now=SEPT)
    second = quantity_change(subscription=subscription, new_quantity=12, actor=actor, idempotency_key="q1", now=SEPT)
    assert first.pk == second.pk and Subscription.objects.get(pk=subscription.pk).quantity == 12


def test_increase_with_a_declined_card_changes_nothing(org_a):
    from tests.billing.billinghelpers import card

    subscription = _subscription(org_a)
    declined = PaymentMethod.objects.create(tenant=org_a.tenant, kind="card", brand="Visa", last4="0002", exp_month=12,
                                            exp_year=2030, gateway_token=card(DECLINE).new_card.token)
    Subscription.objects.filter(pk=subscription.pk).update(payment_method=declined)
    with pytest.raises(ValidationError, match="declined"):
        quantity_change(subscription=subscription, new_quantity=11, actor=Actor.for_user(org_a.billing_admin), now=SEPT)
    assert Subscription.objects.get(pk=subscription.pk).quantity == 10
    assert Order.objects.filter(tenant=org_a.tenant).count() == 1


def test_a_new_card_takes_over_only_when_the_gateway_accepts_it(org_a):
    subscription = _subscription(org_a)
    actor = Actor.for_user(org_a.global_admin)
    with pytest.raises(Exception, match="declined"):
        card_add(tenant=org_a.tenant, actor=actor, number=DECLINE, exp_month=1, exp_year=2031, cvc="999",
                 holder_name="G")
    assert Subscription.objects.get(pk=subscription.pk).payment_method.last4 == "4242"
    method = card_add(tenant=org_a.tenant, actor=actor, number="5555555555554444", exp_month=1, exp_year=2031,
                      cvc="999", holder_name="G")
    subscription_payment_change(subscription=subscription, method=method, actor=actor)
    assert Subscription.objects.get(pk=subscription.pk).payment_method == method


def test_only_the_admin_who_added_a_card_edits_it(org_a):
    subscription = _subscription(org_a)  # bought by the billing admin
    method = subscription.payment_method
    with pytest.raises(PermissionDenied):
        card_update(method=method, actor=Actor.for_user(org_a.global_admin), exp_month=1, exp_year=2032, holder_name="X")
    card_update(method=method, actor=Actor.for_user(org_a.billing_admin), exp_month=1, exp_year=2032, holder_name="X")
    assert (PaymentMethod.objects.get(pk=method.pk).exp_year, PaymentMethod.objects.get(pk=method.pk).holder_name) == (2032, "X")


def test_partner_of_record_add_change_remove(org_a):
    subscription = _subscription(org_a)
    actor = Actor.for_user(org_a.billing_admin)
    partner_set(subscription=subscription, partner_id="123456", actor=actor)
    partner_set(subscription=subscription, partner_id="654321", actor=actor)
    with pytest.raises(ValidationError):
        partner_set(subscription=subscription, partner_id="12ab", actor=actor)
    assert Subscription.objects.get(pk=subscription.pk).partner_id == "654321"
    partner_set(subscription=subscription, partner_id="", actor=actor)
    assert Subscription.objects.get(pk=subscription.pk).partner_id == ""
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="subscription.partner").count() == 3


def test_cancel_at_the_next_cycle_and_reactivate(org_a):
    subscription = _subscription(org_a)
    actor = Actor.for_user(org_a.billing_admin)
    with pytest.raises(ValidationError):
        subscription_cancel(subscription=subscription, reason=" ", actor=actor, now=SEPT)
    subscription_cancel(subscription=subscription, reason="It costs too much", actor=actor, now=SEPT)
    cancelled = Subscription.objects.get(pk=subscription.pk)
    assert cancelled.status == "enabled" and cancelled.is_cancelled and not cancelled.auto_renew
    with pytest.raises(ValidationError):
        subscription_cancel(subscription=subscription, reason="again", actor=actor, now=SEPT)
    subscription_reactivate(subscription=subscription, actor=actor)
    again = Subscription.objects.get(pk=subscription.pk)
    assert not again.is_cancelled and again.auto_renew




def test_a_subscription_without_a_term_is_refused_not_crashed(org_a, client_for):
    from django.urls import reverse

    seeded = Subscription.objects.create(tenant=org_a.tenant, sku=Subscription.objects.first().sku, quantity=5)
    actor = Actor.for_user(org_a.billing_admin)
    with pytest.raises(ValidationError, match="no billing term"):
        quantity_quote(subscription=seeded, new_quantity=6, now=SEPT)
    with pytest.raises(ValidationError, match="no billing term"):
        subscription_cancel(subscription=seeded, reason="x", actor=actor, now=SEPT)
    client = client_for(org_a.billing_admin)
    assert client.get(reverse("billing:subscription", args=[seeded.pk])).status_code == 200
    response = client.post(reverse("billing:subscription_quantity", args=[seeded.pk]), {"quantity": 6, "preview": "1"})
    assert response.status_code == 200 and "no billing term" in response.content.decode()

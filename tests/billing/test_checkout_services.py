"""Checkout through the services: orders, invoices net 30, credit checks, seat limits, idempotency, trials."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from billing.models import Order, PaymentMethod, Subscription
from billing.services import Payment, order_credit_check_decide, trial_start
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.factories import make_tenant
from tests.billing.billinghelpers import DECLINE, REVIEW, T0, VISA, buy, card, plan

pytestmark = pytest.mark.django_db


def test_card_purchase_charges_a_year_and_creates_the_subscription(org_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = buy(org_a, "STANDARDPACK", 10)
    assert order.status == Order.Status.COMPLETED and order.number == 1
    assert order.subtotal == Decimal("960.00") and order.tax == Decimal("0.00") and order.total == Decimal("960.00")
    subscription = order.lines.get().subscription
    assert (subscription.quantity, subscription.is_trial, subscription.status) == (10, False, "enabled")
    assert subscription.term_started_at == T0 and subscription.ends_at == T0.replace(year=2027)
    assert subscription.unit_price == Decimal("8.00") and subscription.payment_method.last4 == "4242"
    assert order.paid_at == T0 and order.due_at is None
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="order.purchase").exists()
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="subscription.create").exists()
    receipt = [m for m in mail.outbox if "Your order 1" in m.subject]
    assert receipt and receipt[0].to == [org_a.billing_admin.alternate_email] and "960.00 USD" in receipt[0].body


def test_tax_follows_the_service_usage_address(org_a):
    order = buy(org_a, "STANDARDPACK", 3, country="NL")
    # The organization is in the US (USD); the services are used in the Netherlands (21% VAT).
    assert (order.currency, order.subtotal, order.tax_rate, order.tax, order.total) == (
        "USD", Decimal("288.00"), Decimal("21.00"), Decimal("60.48"), Decimal("348.48"))


def test_yen_amounts_have_no_decimals(db):
    tenant, admin = make_tenant("tokyo", country="JP")
    order = buy(SimpleNamespace(tenant=tenant, billing_admin=admin), "LITEPACK", 3, country="JP")
    # 650 × 3 × 12 = 23,400 JPY; tax 10% = 2,340.
    assert (order.currency, order.subtotal, order.tax, order.total) == ("JPY", Decimal("23400"), Decimal("2340"),
                                                                        Decimal("25740"))


def test_declined_card_changes_nothing(org_a):
    before = (Order.objects.count(), Subscription.objects.count(), PaymentMethod.objects.count())
    with pytest.raises(ValidationError, match="declined"):
        buy(org_a, payment=card(DECLINE))
    assert (Order.objects.count(), Subscription.objects.count(), PaymentMethod.objects.count()) == before


def test_same_idempotency_key_places_one_order(org_a):
    first = buy(org_a, key="same-key")
    second = buy(org_a, key="same-key")
    assert first.pk == second.pk
    assert Order.objects.filter(tenant=org_a.tenant).count() == 1
    assert Subscription.objects.filter(tenant=org_a.tenant, is_trial=False).count() == 1


def test_seat_limit_of_the_small_business_plan(org_a):
    buy(org_a, "LITEPACK", 20)
    with pytest.raises(ValidationError, match="at most 25 licenses.*you can add at most 5"):
        buy(org_a, "LITEPACK", 6)
    assert buy(org_a, "LITEPACK", 5).status == Order.Status.COMPLETED


def test_invoice_with_po_number_is_due_in_30_days(org_a):
    order = buy(org_a, payment=Payment(kind=PaymentMethod.Kind.INVOICE, po_number="PO-7781"))
    assert order.status == Order.Status.COMPLETED and order.po_number == "PO-7781"
    assert order.due_at == T0 + timedelta(days=30) and order.paid_at is None
    assert order.lines.get().subscription.payment_method.kind == PaymentMethod.Kind.INVOICE


def test_large_invoice_waits_for_a_credit_check_then_gets_its_licenses(org_a, settings):
    settings.BILLING_CREDIT_LIMIT = 500
    order = buy(org_a, "STANDARDPACK", 10, payment=Payment(kind=PaymentMethod.Kind.INVOICE))
    assert order.status == Order.Status.CREDIT_CHECK
    assert not Subscription.objects.filter(tenant=org_a.tenant, sku=plan("STANDARDPACK")).exists()
    order_credit_check_decide(order=order, approved=True, actor=Actor.system("credit desk"), now=T0)
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert Subscription.objects.get(tenant=org_a.tenant, sku=plan("STANDARDPACK")).quantity == 10


def test_card_needing_a_credit_check_waits_and_a_decline_gives_nothing(org_a):
    order = buy(org_a, payment=card(REVIEW))
    assert order.status == Order.Status.CREDIT_CHECK
    order_credit_check_decide(order=order, approved=False, actor=Actor.system("credit desk"), now=T0)
    assert Order.objects.get(pk=order.pk).status == Order.Status.DECLINED
    assert not Subscription.objects.filter(tenant=org_a.tenant, sku=plan("STANDARDPACK")).exists()


def test_invoice_numbers_have_no_gaps_even_after_a_declined_card(org_a, org_b):
    buy(org_a)
    with pytest.raises(ValidationError):
        buy(org_a, payment=card(DECLINE))
    buy(org_a, "LITEPACK", 2)
    buy(org_b)
    assert list(Order.objects.filter(tenant=org_a.tenant).order_by("number").values_list("number", flat=True)) == [1, 2]
    assert Order.objects.get(tenant=org_b.tenant).number == 1


def test_trial_of_another_plan_leaves_the_running_trial_alone(org_a):
    running = Subscription.objects.get(tenant=org_a.tenant, is_trial=True)  # sign-up's trial
    trial = trial_start(tenant=org_a.tenant, sku=plan("LITEPACK"), actor=Actor.system("t"), now=T0)
    assert trial.quantity == 10 and trial.ends_at == T0 + timedelta(days=30)
    assert Subscription.objects.get(pk=running.pk).status == "enabled"
    with pytest.raises(ValidationError, match="already has"):
        trial_start(tenant=org_a.tenant, sku=plan("LITEPACK"), actor=Actor.system("t"), now=T0)
    with pytest.raises(ValidationError, match="no free trial"):
        trial_start(tenant=org_a.tenant, sku=plan("EXCHANGESTANDARD"), actor=Actor.system("t"), now=T0)


def test_buy_now_converts_the_trial_in_place(org_a):
    trial = Subscription.objects.get(tenant=org_a.tenant, is_trial=True)
    order = buy(org_a, trial.sku.part_number, 40, convert=trial)
    converted = Subscription.objects.get(pk=trial.pk)  # same row: licenses assigned from it stay assigned
    assert order.kind == Order.Kind.CONVERSION
    assert (converted.is_trial, converted.quantity, converted.status) == (False, 40, "enabled")
    assert Subscription.objects.filter(tenant=org_a.tenant, sku=trial.sku).count() == 1


def test_no_table_holds_a_card_number(org_a):
    buy(org_a, payment=card(VISA))
    buy(org_a, "LITEPACK", 1, payment=card("5555555555554444"))
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                assert VISA not in text and "5555555555554444" not in text, (table, columns)
    stored = PaymentMethod.objects.filter(tenant=org_a.tenant, kind="card")
    assert sorted(stored.values_list("last4", flat=True)) == ["4242", "4444"]


def test_staff_credit_desk_approves_waiting_orders(org_a, client, settings):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    settings.BILLING_CREDIT_LIMIT = 100
    order = buy(org_a, payment=Payment(kind=PaymentMethod.Kind.INVOICE))
    staff = get_user_model().objects.create_superuser("credit@operator.example", "Sunflower#26")
    client.force_login(staff, backend="users.backends.PrincipalNameBackend")
    response = client.post(reverse("admin:billing_order_changelist"),
                           {"action": "approve_credit_check", "_selected_action": [order.pk]})
    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).status == Order.Status.COMPLETED
    assert Subscription.objects.filter(tenant=org_a.tenant, sku=plan("STANDARDPACK"), quantity=10).exists()
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="order.credit_check")
    assert event.actor_label == "credit@operator.example"

"""The official PDF invoice (parsed back with pypdf), gapless numbering under concurrency, billing history."""

import io
import threading
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from billing.models import Order, PaymentMethod, Subscription
from billing.services import Payment
from billing.subscription_services import quantity_change
from tenantadmin.actors import Actor
from tests.billing.billinghelpers import T0, buy
from tests.factories import make_tenant

SEPT = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.django_db
def test_invoice_pdf_has_number_lines_tax_and_total(org_a, client_for):
    order = buy(org_a, "ENTERPRISEPACK", 4, country="DE",
                payment=Payment(kind=PaymentMethod.Kind.INVOICE, po_number="PO-4711"))
    response = client_for(org_a.billing_admin).get(reverse("billing:order_invoice", args=[order.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    # 4 × 20.00 USD × 12 = 960.00; German VAT 19% = 182.40; total 1,142.40 USD
    assert "Invoice 1" in text and "Contoso CONTOSOA" in text and "PO-4711" in text
    assert "20.00 USD" in text and "960.00 USD" in text and "Tax 19%" in text and "182.40 USD" in text
    assert "1,142.40 USD" in text and "2026-03-31" in text  # due date, net 30
    assert "Quantity" in text and "Unit price/month" in text


@pytest.mark.django_db
def test_yen_invoice_has_no_decimals(db):
    tenant, admin = make_tenant("kyoto", country="JP")
    order = buy(SimpleNamespace(tenant=tenant, billing_admin=admin), "LITEPACK", 3, country="JP")
    from billing.pdf import invoice_pdf

    text = _text(invoice_pdf(order))
    assert "23,400 JPY" in text and "2,340 JPY" in text and "25,740 JPY" in text and ".00 JPY" not in text


@pytest.mark.django_db
def test_decrease_gets_a_credit_note(org_a):
    subscription = buy(org_a).lines.get().subscription
    order = quantity_change(subscription=subscription, new_quantity=7, actor=Actor.for_user(org_a.billing_admin),
                            conflict_confirmed=True, now=SEPT)
    from billing.pdf import invoice_pdf

    text = _text(invoice_pdf(order))
    assert "Credit note 2" in text and "-142.82 USD" in text


@pytest.mark.django_db
def test_billing_history_by_period_with_fixed_queries(org_a, client_for, django_assert_max_num_queries):
    client = client_for(org_a.billing_admin)
    for _ in range(3):
        buy(org_a, "STANDARDPACK", 1)
    with django_assert_max_num_queries(14) as few:
        response = client.get(reverse("billing:history") + "?period=2026-03")
    assert len(response.context["page"].items) == 3
    for _ in range(27):
        buy(org_a, "STANDARDPACK", 1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("billing:history") + "?period=2026-03")
    assert len(response.context["page"].items) == 30
    assert client.get(reverse("billing:history") + "?period=2026-04").context["page"].items == []
    periods = response.context["periods"]
    assert periods[0]["month"].strftime("%Y-%m") == "2026-03" and periods[0]["orders"] == 30


@pytest.mark.django_db
def test_open_invoices_are_the_current_bill(org_a, client_for):
    buy(org_a, payment=Payment(kind=PaymentMethod.Kind.INVOICE, po_number="PO-9"), now=T0)
    buy(org_a, "LITEPACK", 1)  # paid by card: not on the bill
    response = client_for(org_a.billing_admin).get(reverse("billing:history"))
    assert [o.po_number for o in response.context["open_invoices"]] == ["PO-9"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_quantity_changes_all_apply_with_gapless_numbers(org_a):
    subscription = buy(org_a, "STANDARDPACK", 10).lines.get().subscription
    errors = []

    def add_one(index):
        try:
            quantity_change(subscription=Subscription.objects.get(pk=subscription.pk),
                            new_quantity=Subscription.objects.get(pk=subscription.pk).quantity + 1,
                            actor=Actor.system(f"worker {index}"), idempotency_key=f"k{index}", now=SEPT)
        except Exception as exc:  # a stale read is refused, never half-applied
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=add_one, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = sorted(Order.objects.filter(tenant=org_a.tenant).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    changes = Order.objects.filter(tenant=org_a.tenant, kind=Order.Kind.QUANTITY).count()
    assert Subscription.objects.get(pk=subscription.pk).quantity == 10 + changes
    assert changes + len(errors) == 6 and changes >= 1
    assert all(Decimal(o.total) > 0 for o in Order.objects.filter(kind=Order.Kind.QUANTITY))

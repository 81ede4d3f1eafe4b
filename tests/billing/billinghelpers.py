"""Helpers for the billing tests: plans by part number, test cards, and purchases through the services."""

import uuid
from datetime import UTC, datetime

from billing.gateway import TestGateway
from billing.models import PaymentMethod, Sku
from billing.services import CartItem, Payment, checkout_place
from tenantadmin.actors import Actor

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
VISA = "4242424242424242"
DECLINE = "4000000000000002"
REVIEW = "4000000000009235"


def plan(part_number: str) -> Sku:
    return Sku.objects.get(part_number=part_number)


def card(number: str = VISA, today=None) -> Payment:
    reference = TestGateway().tokenize(number=number, exp_month=12, exp_year=2030, cvc="123",
                                       today=(today or T0).date())
    return Payment(kind=PaymentMethod.Kind.CARD, new_card=reference, holder_name="Grace Admin")


def buy(org, part_number: str = "STANDARDPACK", quantity: int = 10, *, payment: Payment | None = None, now=None,
        country: str = "US", key: str | None = None, convert=None, actor=None):
    """Place an order through the checkout service as the org's billing admin."""
    return checkout_place(
        tenant=org.tenant, actor=actor or Actor.for_user(org.billing_admin),
        items=[CartItem(sku=plan(part_number), quantity=quantity, convert=convert)],
        service_address={"street": "1 Main St", "city": "Springfield", "state": "", "postal_code": "12345",
                         "country": country},
        payment=payment or card(), idempotency_key=key or uuid.uuid4().hex, now=now or T0)

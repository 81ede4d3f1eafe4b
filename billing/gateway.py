"""Payment gateways: the interface billing charges through, and the built-in test gateway.

A gateway turns a card into a reference (`tokenize`) and charges a reference. Billing keeps only what
the gateway returns (brand, last four digits, expiry, reference): a card number never reaches the
database or the logs. BILLING_GATEWAY names the class to use.

The test gateway checks the Luhn digit and the expiry, and knows these numbers (any expiry in the
future, any 3- or 4-digit security code):

| number              | brand      | result                                   |
|---------------------|------------|------------------------------------------|
| 4242 4242 4242 4242 | Visa       | charges succeed                          |
| 5555 5555 5555 4444 | Mastercard | charges succeed                          |
| 4000 0000 0000 0002 | Visa       | charges are declined                     |
| 4000 0000 0000 9235 | Visa       | charges need a credit check first        |

Any other number that passes the Luhn check succeeds. A removed card's reference is dropped by billing, so
it is never charged again (`forget_card`).
"""

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import import_module

from django.conf import settings
from django.utils.translation import gettext_lazy as _

SUCCEED = "succeeded"
DECLINED = "declined"
CREDIT_CHECK = "credit_check"

TEST_DECLINE = "4000000000000002"
TEST_CREDIT_CHECK = "4000000000009235"


class CardError(ValueError):
    """A card the gateway refuses before any charge; `field` names the form field at fault."""

    def __init__(self, message, field: str = "number"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CardReference:
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    token: str


@dataclass(frozen=True)
class ChargeResult:
    status: str  # SUCCEED, DECLINED or CREDIT_CHECK
    reference: str = ""
    message: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status == SUCCEED


class PaymentGateway:
    """What billing needs from a payment provider."""

    def tokenize(self, *, number: str, exp_month: int, exp_year: int, cvc: str, today: date) -> CardReference:
        raise NotImplementedError

    def charge(self, *, token: str, amount: Decimal, currency: str, idempotency_key: str) -> ChargeResult:
        """Charge `amount` (0 = verify the card only); the same key never charges twice."""
        raise NotImplementedError

    def credit_check(self, *, tenant_id, amount: Decimal, currency: str) -> str:
        """SUCCEED when the organization may pay `amount` by invoice straight away, else CREDIT_CHECK."""
        raise NotImplementedError

    def forget_card(self, *, token: str) -> None:
        """Delete a removed card at the provider, so its reference can never be charged again. Called after the
        removal is committed; a provider that keeps no cards has nothing to do."""


def luhn_valid(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for index, digit in enumerate(int(d) for d in reversed(number)):
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def card_brand(number: str) -> str:
    if number.startswith("4"):
        return "Visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or "2221" <= number[:4] <= "2720":
        return "Mastercard"
    if number[:2] in {"34", "37"}:
        return "American Express"
    if number.startswith(("6011", "65")):
        return "Discover"
    return "Card"


def check_card(number: str, exp_month: int, exp_year: int, cvc: str, today: date) -> str:
    """The digits of a valid, unexpired card, or CardError naming the field at fault."""
    digits = "".join(ch for ch in str(number) if not ch.isspace() and ch != "-")
    if not luhn_valid(digits):
        raise CardError(_("This card number is not valid. Check the digits and try again."), "number")
    if not 1 <= int(exp_month) <= 12:
        raise CardError(_("Enter the expiry month as a number from 1 to 12."), "exp_month")
    if (int(exp_year), int(exp_month)) < (today.year, today.month):
        raise CardError(_("This card has expired. Use another card."), "exp_year")
    if not (str(cvc).isdigit() and len(str(cvc)) in (3, 4)):
        raise CardError(_("The security code is the 3 or 4 digits on the card."), "cvc")
    return digits


class TestGateway(PaymentGateway):
    """The built-in gateway for development, demos and tests: no money moves. The reference records how
    the card behaves (it holds no digits beyond the last four that billing keeps anyway)."""

    __test__ = False  # not a pytest class

    def tokenize(self, *, number, exp_month, exp_year, cvc, today):
        digits = check_card(number, exp_month, exp_year, cvc, today)
        behaviour = {TEST_DECLINE: "decline", TEST_CREDIT_CHECK: "review"}.get(digits, "ok")
        return CardReference(brand=card_brand(digits), last4=digits[-4:], exp_month=int(exp_month),
                             exp_year=int(exp_year), token=f"test_{behaviour}_{secrets.token_hex(8)}")

    def charge(self, *, token, amount, currency, idempotency_key):
        if token.startswith("test_decline_"):
            return ChargeResult(DECLINED, message=str(_("The card was declined by the bank.")))
        if token.startswith("test_review_") and amount > 0:
            return ChargeResult(CREDIT_CHECK, reference=f"ch_{idempotency_key[:24]}")
        return ChargeResult(SUCCEED, reference=f"ch_{idempotency_key[:24]}")

    def credit_check(self, *, tenant_id, amount, currency):
        return SUCCEED if amount <= Decimal(settings.BILLING_CREDIT_LIMIT) else CREDIT_CHECK


def gateway() -> PaymentGateway:
    module, _dot, name = settings.BILLING_GATEWAY.rpartition(".")
    return getattr(import_module(module), name)()

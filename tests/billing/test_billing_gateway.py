"""The built-in test gateway: Luhn and expiry checks, brands, and the documented test numbers."""

from datetime import date
from decimal import Decimal

import pytest

from billing.gateway import CREDIT_CHECK, DECLINED, SUCCEED, CardError, TestGateway, luhn_valid

TODAY = date(2026, 3, 1)


def tokenize(number, month=12, year=2030, cvc="123"):
    return TestGateway().tokenize(number=number, exp_month=month, exp_year=year, cvc=cvc, today=TODAY)


@pytest.mark.parametrize("number, valid", [("4242424242424242", True), ("4242424242424241", False),
                                           ("5555555555554444", True), ("79927398713", False), ("abcd", False)])
def test_luhn(number, valid):
    assert luhn_valid(number) is valid


def test_reference_keeps_brand_last_four_and_expiry_but_never_the_number():
    card = tokenize("4242 4242 4242 4242")
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("Visa", "4242", 12, 2030)
    assert "424242" not in card.token
    assert tokenize("5555555555554444").brand == "Mastercard"


@pytest.mark.parametrize("kwargs, field", [
    ({"number": "4242424242424241"}, "number"),
    ({"number": "4242424242424242", "month": 2, "year": 2026}, "exp_year"),  # expired last month
    ({"number": "4242424242424242", "month": 13}, "exp_month"),
    ({"number": "4242424242424242", "cvc": "12"}, "cvc"),
])
def test_bad_cards_name_the_field_at_fault(kwargs, field):
    with pytest.raises(CardError) as error:
        tokenize(**kwargs)
    assert error.value.field == field


def test_a_card_expiring_this_month_is_still_valid():
    assert tokenize("4242424242424242", month=3, year=2026).last4 == "4242"


@pytest.mark.parametrize("number, status", [("4242424242424242", SUCCEED), ("4000000000000002", DECLINED),
                                            ("4000000000009235", CREDIT_CHECK)])
def test_documented_test_numbers(number, status):
    result = TestGateway().charge(token=tokenize(number).token, amount=Decimal("10.00"), currency="USD",
                                  idempotency_key="k1")
    assert result.status == status


def test_credit_check_for_invoices_above_the_limit(settings):
    settings.BILLING_CREDIT_LIMIT = 1000
    gateway = TestGateway()
    assert gateway.credit_check(tenant_id=None, amount=Decimal("1000"), currency="USD") == SUCCEED
    assert gateway.credit_check(tenant_id=None, amount=Decimal("1000.01"), currency="USD") == CREDIT_CHECK

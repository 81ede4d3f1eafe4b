"""Prices of orders: full yearly terms, prorated changes and tax, in Decimal, rounded per currency.

Rounding happens once per line and once for the tax (half up to the currency's minor unit: cents, or
whole yen), so the PDF's figures add up exactly.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from billing.catalog import country_terms, round_money, tax_for
from billing.models import Sku

TERM_MONTHS = Decimal(12)
MONTHS_PLACES = Decimal("0.0001")


@dataclass
class QuoteLine:
    sku: Sku
    description: str
    quantity: int
    unit_price: Decimal  # per license per month
    months: Decimal
    amount: Decimal
    target_quantity: int | None = None
    subscription: object = None


@dataclass
class Quote:
    currency: str
    tax_country: str
    tax_rate: Decimal
    lines: list[QuoteLine] = field(default_factory=list)

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def tax(self) -> Decimal:
        return tax_for(self.subtotal, self.tax_rate, self.currency)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax


def organization_currency(tenant) -> str:
    """The organization's currency follows its country, fixed at sign-up (SPEC sign-up)."""
    return country_terms(tenant.country.code if hasattr(tenant.country, "code") else tenant.country).currency


def new_quote(tenant, tax_country: str) -> Quote:
    terms = country_terms(tax_country)
    return Quote(currency=organization_currency(tenant), tax_country=terms.country, tax_rate=terms.tax_rate)


def catalog_price(sku: Sku, currency: str) -> Decimal:
    price = sku.monthly_price(currency)
    if price is None or not sku.is_offered:
        raise ValidationError(_("%(plan)s cannot be bought in %(currency)s.") % {"plan": sku.name, "currency": currency},
                              code="not_offered")
    return price


def term_line(quote: Quote, sku: Sku, quantity: int, *, unit_price: Decimal | None = None, subscription=None) -> QuoteLine:
    """A full yearly term of `quantity` licenses."""
    price = catalog_price(sku, quote.currency) if unit_price is None else unit_price
    amount = round_money(price * quantity * TERM_MONTHS, quote.currency)
    line = QuoteLine(sku=sku, description=_("%(plan)s, 12 months") % {"plan": sku.name}, quantity=quantity,
                     unit_price=price, months=TERM_MONTHS, amount=amount, target_quantity=quantity,
                     subscription=subscription)
    quote.lines.append(line)
    return line


def remaining_fraction(term_start: datetime, term_end: datetime, now: datetime) -> tuple[int, int]:
    """(days left, days in the term), counted in whole calendar days of the term."""
    total = max((term_end.date() - term_start.date()).days, 1)
    left = min(max((term_end.date() - now.date()).days, 0), total)
    return left, total


def prorated_line(quote: Quote, subscription, new_quantity: int, now: datetime) -> QuoteLine:
    """The charge (or credit, when negative) for changing a subscription to `new_quantity` for the rest of
    its term: delta × monthly price × 12 × days left / days in the term."""
    delta = new_quantity - subscription.quantity
    price = subscription.unit_price if subscription.unit_price is not None else catalog_price(subscription.sku, quote.currency)
    left, total = remaining_fraction(subscription.term_started_at or subscription.created_at, subscription.ends_at, now)
    amount = round_money(Decimal(delta) * price * TERM_MONTHS * Decimal(left) / Decimal(total), quote.currency)
    months = (TERM_MONTHS * Decimal(left) / Decimal(total)).quantize(MONTHS_PLACES)
    if subscription.sku.is_add_on:
        text = (_("%(plan)s: %(delta)+d units for the rest of the term (%(left)s of %(total)s days)")
                % {"plan": subscription.sku.name, "delta": delta, "left": left, "total": total})
    else:
        text = (_("%(plan)s: %(delta)+d licenses for the rest of the term (%(left)s of %(total)s days)")
                % {"plan": subscription.sku.name, "delta": delta, "left": left, "total": total})
    line = QuoteLine(sku=subscription.sku, description=text, quantity=delta, unit_price=price, months=months,
                     amount=amount, target_quantity=new_quantity, subscription=subscription)
    quote.lines.append(line)
    return line

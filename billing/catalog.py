"""The plan catalog: plans (Graph skuIds and part numbers, so scripts written against Graph find the same
SKUs), their prices per currency, tax and currency by country, and license restrictions by country.

The data lives in an editable file (BILLING_CATALOG_FILE, default billing/data/catalog.json); operators
edit it and run `manage.py load_catalog`, and the migrations load it too. This module reads the file
once per process.
"""

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction

DEFAULT_CATALOG_FILE = Path(__file__).resolve().parent / "data" / "catalog.json"
# Sku.AppliesTo's values (this module is imported by models' migrations, so it does not import the model).
USER, COMPANY = "user", "company"


def catalog_path() -> Path:
    return Path(getattr(settings, "BILLING_CATALOG_FILE", "") or DEFAULT_CATALOG_FILE)


@lru_cache(maxsize=4)
def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    _validate(data, path)
    return data


def _decimal(value, what: str, path: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{path}: {what} is not a number: {value!r}") from None


def _whole(value, what: str, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{path}: {what} must be a whole number of 0 or more, not {value!r}")
    return value


def _validate(data: dict, path: str) -> None:
    """Fail loudly on an edit that would break billing (a typo in a price must not reach an invoice). The whole file
    is checked before anything is written, so a bad file changes nothing."""
    currencies = data["currencies"]
    for code, terms in {**data["countries"], "default": data["default_terms"]}.items():
        if terms["currency"] not in currencies:
            raise ValueError(f"{path}: country {code} uses unknown currency {terms['currency']}")
        _decimal(terms["tax_rate"], f"the tax rate of {code}", path)
    parts = [plan["part_number"] for plan in data["plans"]]
    duplicates = sorted({part for part in parts if parts.count(part) > 1})
    if duplicates:
        raise ValueError(f"{path}: plan {duplicates[0]} is listed twice")
    user_plans = {plan["part_number"] for plan in data["plans"] if plan.get("applies_to", USER) == USER}
    for plan in data["plans"]:
        part = plan["part_number"]
        for currency, price in plan.get("prices", {}).items():
            if currency not in currencies:
                raise ValueError(f"{path}: plan {part} has a price in unknown currency {currency}")
            if _decimal(price, f"the {currency} price of plan {part}", path) < 0:
                raise ValueError(f"{path}: plan {part} has a negative price")
        _validate_storage(plan, user_plans, path)


def _validate_storage(plan: dict, user_plans: set, path: str) -> None:
    """A plan applies to users (licenses, with the storage they bring) or is a storage add-on of the organization
    that needs one of the file's user plans."""
    part = plan["part_number"]
    applies_to = plan.get("applies_to", USER)
    if applies_to not in (USER, COMPANY):
        raise ValueError(f"{path}: plan {part} applies to {applies_to!r}; use \"user\" or \"company\"")
    base = _whole(plan.get("storage_base_gb", 0), f"storage_base_gb of plan {part}", path)
    per_license = _decimal(plan.get("storage_gb_per_license", "0"), f"storage_gb_per_license of plan {part}", path)
    per_unit = _whole(plan.get("storage_gb_per_unit", 0), f"storage_gb_per_unit of plan {part}", path)
    required = plan.get("requires_one_of", [])
    if per_license < 0 or per_license != per_license.quantize(Decimal("0.01")):
        raise ValueError(f"{path}: storage_gb_per_license of plan {part} must be 0 or more with at most 2 decimals")
    if not isinstance(required, list) or not all(isinstance(item, str) for item in required):
        raise ValueError(f"{path}: requires_one_of of plan {part} must be a list of part numbers")
    if applies_to == USER:
        if per_unit or required:
            raise ValueError(f"{path}: plan {part} applies to users: storage_gb_per_unit and requires_one_of are "
                             f"for add-ons (applies_to \"company\")")
        return
    # Storage is the only kind of add-on the product implements: an add-on that adds nothing would be sold for nothing.
    if per_unit < 1:
        raise ValueError(f"{path}: add-on {part} must add storage (storage_gb_per_unit of 1 or more)")
    if base or per_license:
        raise ValueError(f"{path}: add-on {part} has no licenses: use storage_gb_per_unit, not storage_base_gb or "
                         f"storage_gb_per_license")
    if plan.get("trial_available") or plan.get("max_seats") is not None:
        raise ValueError(f"{path}: add-on {part} cannot have a trial or a seat limit")
    if not required:
        raise ValueError(f"{path}: add-on {part} must name the base plans it needs (requires_one_of)")
    unknown = [item for item in required if item not in user_plans]
    if unknown:
        raise ValueError(f"{path}: add-on {part} requires {unknown[0]}, which is not a plan for users in this file")


# Keys every plan has once loaded (a key left out of the file takes its default), so reloading an edited file
# also resets what an operator removed from it.
PLAN_DEFAULTS = {"applies_to": "user", "storage_base_gb": 0, "storage_gb_per_license": "0", "storage_gb_per_unit": 0,
                 "requires_one_of": []}


def _plan_values(plan: dict) -> dict:
    return {**PLAN_DEFAULTS, **{key: value for key, value in plan.items() if not key.startswith("_")}}


def catalog() -> dict:
    return _load(str(catalog_path()))


# Names other apps import (users/licenses.py): the data file is their source.
PLANS = [_plan_values(plan) for plan in _load(str(DEFAULT_CATALOG_FILE))["plans"]]
RESTRICTED_SERVICE_PLANS = {
    name: set(codes) for name, codes in _load(str(DEFAULT_CATALOG_FILE))["restricted_service_plans"].items()
    if not name.startswith("_")
}
EMBARGOED_COUNTRIES = set(_load(str(DEFAULT_CATALOG_FILE))["embargoed_countries"])


def ensure_default_plans(sku_model, plans: list[dict] | None = None) -> int:
    """Create or refresh the catalog's plans; takes the model so migrations can pass their historical one
    (fields a historical model does not have yet are left out). Returns how many plans were written."""
    fields = {field.name for field in sku_model._meta.get_fields()}
    plans = PLANS if plans is None else plans
    with transaction.atomic():  # all plans or none
        for plan in plans:
            values = {key: value for key, value in plan.items() if key in fields}
            sku_model.objects.update_or_create(part_number=plan["part_number"], defaults=values)
    return len(plans)


def load_catalog_file(sku_model, path: Path | None = None) -> int:
    """Load the plans of an operator's catalog file (validated first)."""
    data = _load(str(path or catalog_path()))
    return ensure_default_plans(sku_model, [_plan_values(plan) for plan in data["plans"]])


def restricted_service_plan_ids(service_plans: list[dict], country: str) -> list[str]:
    """The servicePlanIds of `service_plans` not offered in `country` (an ISO code)."""
    return [plan["servicePlanId"] for plan in service_plans
            if country in RESTRICTED_SERVICE_PLANS.get(plan["servicePlanName"], ())]


@dataclass(frozen=True)
class CountryTerms:
    country: str
    currency: str
    tax_rate: Decimal  # percent
    decimals: int


def country_terms(country: str) -> CountryTerms:
    """Currency and tax rate for a country (the catalog's defaults for a country it does not list)."""
    data = catalog()
    terms = data["countries"].get(str(country).upper(), data["default_terms"])
    currency = terms["currency"]
    return CountryTerms(country=str(country).upper(), currency=currency, tax_rate=Decimal(terms["tax_rate"]),
                        decimals=int(data["currencies"][currency]))


def currency_decimals(currency: str) -> int:
    return int(catalog()["currencies"].get(currency, 2))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor unit (JPY has none)."""
    exponent = Decimal(1).scaleb(-currency_decimals(currency))
    return Decimal(amount).quantize(exponent, rounding=ROUND_HALF_UP)


def tax_for(amount: Decimal, rate: Decimal, currency: str) -> Decimal:
    return round_money(Decimal(amount) * Decimal(rate) / Decimal(100), currency)


def format_money(amount: Decimal, currency: str) -> str:
    """'1,234.50 EUR' with the currency's own number of decimals."""
    places = currency_decimals(currency)
    return f"{round_money(amount, currency):,.{places}f} {currency}"


def format_storage(gb) -> str:
    """'10 GB', '12.5 GB', '1,024 GB': storage figures in whole or decimal gigabytes."""
    text = f"{Decimal(gb).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} GB"

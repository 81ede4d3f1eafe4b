"""The plan catalog: plans (Graph skuIds and part numbers, so scripts written against Graph find the same
SKUs), their prices per currency, tax and currency by country, and license restrictions by country.

The data lives in an editable file (BILLING_CATALOG_FILE, default billing/data/catalog.json); operators
edit it and run `manage.py load_catalog`, and the migrations load it too. This module reads the file
once per process.
"""

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings

DEFAULT_CATALOG_FILE = Path(__file__).resolve().parent / "data" / "catalog.json"


def catalog_path() -> Path:
    return Path(getattr(settings, "BILLING_CATALOG_FILE", "") or DEFAULT_CATALOG_FILE)


@lru_cache(maxsize=4)
def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    _validate(data, path)
    return data


def _validate(data: dict, path: str) -> None:
    """Fail loudly on an edit that would break billing (a typo in a price must not reach an invoice)."""
    currencies = data["currencies"]
    for code, terms in {**data["countries"], "default": data["default_terms"]}.items():
        if terms["currency"] not in currencies:
            raise ValueError(f"{path}: country {code} uses unknown currency {terms['currency']}")
        Decimal(terms["tax_rate"])
    for plan in data["plans"]:
        for currency, price in plan.get("prices", {}).items():
            if currency not in currencies:
                raise ValueError(f"{path}: plan {plan['part_number']} has a price in unknown currency {currency}")
            if Decimal(price) < 0:
                raise ValueError(f"{path}: plan {plan['part_number']} has a negative price")


def catalog() -> dict:
    return _load(str(catalog_path()))


# Names other apps import (users/licenses.py): the data file is their source.
PLANS = [{k: v for k, v in plan.items() if not k.startswith("_")} for plan in _load(str(DEFAULT_CATALOG_FILE))["plans"]]
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
    for plan in plans:
        values = {key: value for key, value in plan.items() if key in fields}
        sku_model.objects.update_or_create(part_number=plan["part_number"], defaults=values)
    return len(plans)


def load_catalog_file(sku_model, path: Path | None = None) -> int:
    """Load the plans of an operator's catalog file (validated first)."""
    data = _load(str(path or catalog_path()))
    return ensure_default_plans(sku_model, [{k: v for k, v in p.items() if not k.startswith("_")} for p in data["plans"]])


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

"""The catalog file: plans, prices per currency, tax per country, seat limits, trials; operators reload it."""

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from billing import catalog
from billing.catalog import (
    EMBARGOED_COUNTRIES, PLANS, RESTRICTED_SERVICE_PLANS, country_terms, ensure_default_plans, format_money,
    restricted_service_plan_ids, round_money,
)
from billing.models import Sku

pytestmark = pytest.mark.django_db


def test_migrated_catalog_has_prices_seat_limits_and_trials():
    small = Sku.objects.get(part_number="LITEPACK")
    assert small.max_seats == 25 and small.is_small_business and small.trial_available
    assert small.monthly_price("USD") == Decimal("6.00") and small.monthly_price("JPY") == Decimal("650")
    assert Sku.objects.get(part_number="EXCHANGESTANDARD").trial_available is False
    assert {p["part_number"] for p in PLANS} == set(Sku.objects.values_list("part_number", flat=True))


def test_names_other_apps_import_still_work():
    assert "MCOSTANDARD" in RESTRICTED_SERVICE_PLANS and "KP" in RESTRICTED_SERVICE_PLANS["MCOSTANDARD"]
    assert "IR" in EMBARGOED_COUNTRIES
    e3 = Sku.objects.get(part_number="ENTERPRISEPACK")
    assert restricted_service_plan_ids(e3.service_plans, "CN") == ["0feaeb32-d00e-4d66-bd5a-43b5b83db82c"]
    assert restricted_service_plan_ids(e3.service_plans, "NL") == []


def test_currency_and_tax_follow_the_country():
    nl, jp, us, unknown = country_terms("NL"), country_terms("JP"), country_terms("US"), country_terms("ZZ")
    assert (nl.currency, nl.tax_rate) == ("EUR", Decimal("21"))
    assert (jp.currency, jp.tax_rate, jp.decimals) == ("JPY", Decimal("10"), 0)
    assert (us.currency, us.tax_rate) == ("USD", Decimal("0"))
    assert unknown.currency == "USD"


def test_rounding_per_currency_is_half_up_to_the_minor_unit():
    assert round_money(Decimal("10.005"), "EUR") == Decimal("10.01")
    assert round_money(Decimal("1234.5"), "JPY") == Decimal("1235")
    assert format_money(Decimal("1234.5"), "JPY") == "1,235 JPY"
    assert format_money(Decimal("7"), "USD") == "7.00 USD"


def test_load_catalog_command_applies_an_edited_file(tmp_path, capsys):
    data = json.loads(catalog.DEFAULT_CATALOG_FILE.read_text())
    data["plans"][0]["prices"]["USD"] = "21.50"
    data["plans"][0]["max_seats"] = 300
    edited = tmp_path / "catalog.json"
    edited.write_text(json.dumps(data))
    call_command("load_catalog", str(edited))
    assert json.loads(capsys.readouterr().out) == {"plans": len(data["plans"])}
    sku = Sku.objects.get(part_number=data["plans"][0]["part_number"])
    assert sku.monthly_price("USD") == Decimal("21.50") and sku.max_seats == 300
    ensure_default_plans(Sku)  # back to the shipped file
    assert Sku.objects.get(pk=sku.pk).max_seats is None


def test_a_broken_catalog_file_is_refused_and_changes_nothing(tmp_path):
    data = json.loads(catalog.DEFAULT_CATALOG_FILE.read_text())
    data["plans"][0]["prices"] = {"XXX": "1.00"}
    broken = tmp_path / "catalog.json"
    broken.write_text(json.dumps(data))
    before = Sku.objects.get(part_number=data["plans"][0]["part_number"]).prices
    with pytest.raises(CommandError, match="unknown currency XXX"):
        call_command("load_catalog", str(broken))
    assert Sku.objects.get(part_number=data["plans"][0]["part_number"]).prices == before

"""The catalog's storage keys: plans apply to users or to the organization (add-ons), bring storage, and an add-on
names the base plans it needs. A file with a bad storage key is refused whole and changes nothing."""

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from billing import catalog
from billing.catalog import PLANS, ensure_default_plans, format_storage
from billing.models import Sku

pytestmark = pytest.mark.django_db
ADD_ON = "SHAREPOINTSTORAGE"


def _file(tmp_path, edit) -> str:
    data = json.loads(catalog.DEFAULT_CATALOG_FILE.read_text())
    edit({plan["part_number"]: plan for plan in data["plans"]}, data)
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data))
    return str(path)


def _snapshot():
    return list(Sku.objects.order_by("part_number").values_list(
        "part_number", "applies_to", "storage_base_gb", "storage_gb_per_license", "storage_gb_per_unit",
        "requires_one_of", "prices"))


def test_migrated_catalog_has_the_storage_add_on_and_the_storage_of_plans():
    add_on = Sku.objects.get(part_number=ADD_ON)
    assert add_on.is_add_on and add_on.applies_to == Sku.AppliesTo.COMPANY
    assert str(add_on.pk) == "99049c9c-6011-4908-bf17-15f496e6519d"  # Graph's skuId of Office 365 Extra File Storage
    assert (add_on.storage_gb_per_unit, add_on.trial_available, add_on.max_seats) == (1, False, None)
    assert add_on.requires_one_of == ["ENTERPRISEPACK", "STANDARDPACK", "LITEPACK"]
    assert add_on.monthly_price("USD") == Decimal("0.20") and add_on.monthly_price("JPY") == Decimal("22")
    e3 = Sku.objects.get(part_number="ENTERPRISEPACK")
    assert not e3.is_add_on and (e3.storage_base_gb, e3.storage_gb_per_license) == (10, Decimal("0.50"))
    assert e3.storage_gb_for(7) == Decimal("3.50") and add_on.storage_gb_for(25) == Decimal(25)
    assert Sku.objects.get(part_number="EXCHANGESTANDARD").storage_gb_for(10) == 0
    assert {plan["part_number"] for plan in PLANS} == set(Sku.objects.values_list("part_number", flat=True))


def test_every_loaded_plan_carries_the_storage_keys_with_defaults():
    exchange = next(plan for plan in PLANS if plan["part_number"] == "EXCHANGESTANDARD")
    assert exchange["applies_to"] == "user" and exchange["requires_one_of"] == []
    assert exchange["storage_gb_per_unit"] == 0


def test_storage_is_formatted_in_whole_or_decimal_gigabytes():
    assert format_storage(Decimal("10.00")) == "10 GB"
    assert format_storage(Decimal("12.50")) == "12.5 GB"
    assert format_storage(1024) == "1,024 GB"
    assert format_storage(Decimal("0")) == "0 GB"


def test_load_catalog_applies_edited_storage_figures(tmp_path):
    def edit(plans, _data):
        plans[ADD_ON]["storage_gb_per_unit"] = 5
        plans["STANDARDPACK"]["storage_gb_per_license"] = "1.25"
        del plans["ENTERPRISEPACK"]["storage_base_gb"]  # a key left out takes its default

    call_command("load_catalog", _file(tmp_path, edit))
    assert Sku.objects.get(part_number=ADD_ON).storage_gb_per_unit == 5
    assert Sku.objects.get(part_number="STANDARDPACK").storage_gb_per_license == Decimal("1.25")
    assert Sku.objects.get(part_number="ENTERPRISEPACK").storage_base_gb == 0
    ensure_default_plans(Sku)  # back to the shipped file
    assert Sku.objects.get(part_number=ADD_ON).storage_gb_per_unit == 1


def _set(part, **values):
    def edit(plans, _data):
        plans[part].update(values)
    return edit


def _drop(part, key):
    def edit(plans, _data):
        del plans[part][key]
    return edit


@pytest.mark.parametrize("edit, message", [
    (_set(ADD_ON, applies_to="tenant"), "use \"user\" or \"company\""),
    (_set(ADD_ON, storage_gb_per_unit=0), "must add storage"),
    (_set(ADD_ON, storage_gb_per_unit=-1), "whole number of 0 or more"),
    (_set(ADD_ON, storage_gb_per_unit="lots"), "whole number of 0 or more"),
    (_drop(ADD_ON, "requires_one_of"), "must name the base plans"),
    (_set(ADD_ON, requires_one_of=["NOSUCHPLAN"]), "requires NOSUCHPLAN"),
    (_set(ADD_ON, requires_one_of=[ADD_ON]), f"requires {ADD_ON}"),  # an add-on cannot be another's base plan
    (_set(ADD_ON, requires_one_of="ENTERPRISEPACK"), "must be a list of part numbers"),
    (_set(ADD_ON, trial_available=True), "cannot have a trial or a seat limit"),
    (_set(ADD_ON, max_seats=25), "cannot have a trial or a seat limit"),
    (_set(ADD_ON, storage_gb_per_license="0.5"), "has no licenses"),
    (_set("STANDARDPACK", storage_gb_per_unit=1), "storage_gb_per_unit and requires_one_of are for add-ons"),
    (_set("STANDARDPACK", requires_one_of=["ENTERPRISEPACK"]), "are for add-ons"),
    (_set("STANDARDPACK", storage_gb_per_license="-0.5"), "0 or more with at most 2 decimals"),
    (_set("STANDARDPACK", storage_gb_per_license="0.125"), "0 or more with at most 2 decimals"),
    (_set("STANDARDPACK", storage_gb_per_license="half"), "is not a number"),
    (_set("STANDARDPACK", storage_base_gb=2.5), "whole number of 0 or more"),
    (_set(ADD_ON, prices={"USD": "cheap"}), "is not a number"),
])
def test_a_bad_storage_key_refuses_the_whole_file_and_changes_nothing(tmp_path, edit, message):
    path = _file(tmp_path, lambda plans, data: (edit(plans, data), plans["ENTERPRISEPACK"]["prices"].update(USD="99.00")))
    before = _snapshot()
    with pytest.raises(CommandError, match=message):
        call_command("load_catalog", path)
    assert _snapshot() == before  # not even the valid price edit of another plan was written


def test_a_plan_listed_twice_is_refused(tmp_path):
    def edit(_plans, data):
        data["plans"].append(dict(data["plans"][0]))

    with pytest.raises(CommandError, match="listed twice"):
        call_command("load_catalog", _file(tmp_path, edit))

"""License units: assigning takes a free unit, the last one goes once, removing frees it."""

import pytest

from billing.models import Sku
from tenantadmin.actors import Actor
from tests.factories import make_user
from users.licenses import NoFreeLicenses, license_units, licenses_change

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")


def test_assign_until_no_unit_is_left_then_removing_frees_one(org_a):
    sku = Sku.objects.get(part_number="ENTERPRISEPACK")
    units = {u.sku.part_number: u for u in license_units(tenant=org_a.tenant)}["ENTERPRISEPACK"]
    people = [make_user(org_a.tenant, f"lic{n}", usage_location="NL") for n in range(units.free)]
    for person in people:
        licenses_change(user=person, actor=ACTOR, add=[sku])
    extra = make_user(org_a.tenant, "one-too-many", usage_location="NL")
    with pytest.raises(NoFreeLicenses):
        licenses_change(user=extra, actor=ACTOR, add=[sku])
    licenses_change(user=people[0], actor=ACTOR, remove=[sku])
    licenses_change(user=extra, actor=ACTOR, add=[sku])
    after = {u.sku.part_number: u for u in license_units(tenant=org_a.tenant)}["ENTERPRISEPACK"]
    assert (after.total, after.assigned, after.free) == (units.total, units.total, 0)


def test_restricted_services_are_switched_off_by_location(org_a):
    sku = Sku.objects.get(part_number="ENTERPRISEPACK")
    person = make_user(org_a.tenant, "in-dubai", usage_location="AE")
    [assignment] = licenses_change(user=person, actor=ACTOR, add=[sku])
    lync = next(p["servicePlanId"] for p in sku.service_plans if p["servicePlanName"] == "MCOSTANDARD")
    assert assignment.disabled_plans == [lync]


def test_no_location_no_license(org_a):
    sku = Sku.objects.get(part_number="ENTERPRISEPACK")
    person = make_user(org_a.tenant, "nowhere")
    with pytest.raises(Exception) as error:
        licenses_change(user=person, actor=ACTOR, add=[sku])
    assert "user location" in str(error.value)

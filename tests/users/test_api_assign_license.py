"""POST /v1.0/users/{id}/assignLicense and GET /v1.0/users/{id}/licenseDetails: Graph's shapes and messages,
all or nothing, isolation and roles."""

import pytest

from billing.models import Sku
from tests.factories import make_user
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for, user_token
from tests.users.lifecycle_helpers import licensed_user, plan_with_units
from users.models import LicenseAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["User.ReadWrite.All"]))


def url(user):
    return f"/v1.0/users/{user.pk}/assignLicense"


def test_add_with_disabled_plans_returns_the_user(org_a, writer):
    sku = plan_with_units(org_a.tenant, 2)
    person = make_user(org_a.tenant, "new", usage_location="NL")
    plan_id = sku.service_plans[0]["servicePlanId"]
    response = writer.post(url(person), {"addLicenses": [{"skuId": str(sku.pk), "disabledPlans": [plan_id]}],
                                         "removeLicenses": []})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == str(person.pk) and body["@odata.context"].endswith("$metadata#users/$entity")
    assert body["assignedLicenses"] == [{"skuId": str(sku.pk), "disabledPlans": [plan_id]}]

    details = writer.get(f"/v1.0/users/{person.upn}/licenseDetails").json()
    assert details["value"][0]["skuPartNumber"] == sku.part_number
    statuses = {p["servicePlanId"]: p["provisioningStatus"] for p in details["value"][0]["servicePlans"]}
    assert statuses[plan_id] == "Disabled" and set(statuses.values()) == {"Disabled", "Success"}


def test_remove(org_a, writer):
    sku = plan_with_units(org_a.tenant, 2)
    person = licensed_user(org_a.tenant, sku, "holder")
    response = writer.post(url(person), {"addLicenses": [], "removeLicenses": [str(sku.pk)]})
    assert response.status_code == 200 and response.json()["assignedLicenses"] == []
    assert not LicenseAssignment.objects.filter(user=person).exists()


def test_missing_usage_location_uses_graphs_message(org_a, writer):
    sku = plan_with_units(org_a.tenant, 2)
    person = make_user(org_a.tenant, "nowhere")
    error = assert_graph_error(writer.post(url(person), {"addLicenses": [{"skuId": str(sku.pk)}], "removeLicenses": []}),
                               400, "Request_BadRequest")
    assert error["message"] == "License assignment cannot be done for user with invalid usage location."


def test_no_free_units_is_a_400_and_changes_nothing(org_a, writer):
    sku = plan_with_units(org_a.tenant, 1)
    licensed_user(org_a.tenant, sku, "first")
    other_sku = plan_with_units(org_a.tenant, 5, Sku.objects.exclude(pk=sku.pk).first().part_number)
    person = make_user(org_a.tenant, "second", usage_location="NL")
    body = {"addLicenses": [{"skuId": str(other_sku.pk)}, {"skuId": str(sku.pk)}], "removeLicenses": []}
    error = assert_graph_error(writer.post(url(person), body), 400, "Request_BadRequest")
    assert error["message"].startswith("Subscription ") and "does not have any available licenses" in error["message"]
    assert not LicenseAssignment.objects.filter(user=person).exists()


def test_unknown_sku_and_bad_body_are_400(org_a, writer):
    person = make_user(org_a.tenant, "new", usage_location="NL")
    error = assert_graph_error(writer.post(url(person), {"addLicenses": [{"skuId": "00000000-0000-0000-0000-000000000001"}],
                                                         "removeLicenses": []}), 400, "Request_BadRequest")
    assert "valid company License" in error["message"]
    assert_graph_error(writer.post(url(person), {"addLicenses": []}), 400, "BadRequest")


def test_other_tenant_gets_404(client, org_a, org_b):
    sku = plan_with_units(org_a.tenant, 2)
    holder = licensed_user(org_a.tenant, sku, "holder")
    other = Api(client, token_for(client, org_b.tenant, ["User.ReadWrite.All"]))
    assert_graph_error(other.post(url(holder), {"addLicenses": [], "removeLicenses": [str(sku.pk)]}), 404,
                       "Request_ResourceNotFound")
    assert_graph_error(other.get(f"/v1.0/users/{holder.pk}/licenseDetails"), 404, "Request_ResourceNotFound")
    assert LicenseAssignment.objects.filter(user=holder).exists()


def test_role_without_the_right_gets_403(client, org_a):
    sku = plan_with_units(org_a.tenant, 2)
    holder = licensed_user(org_a.tenant, sku, "holder")
    body = {"addLicenses": [], "removeLicenses": [str(sku.pk)]}
    reader = Api(client, token_for(client, org_a.tenant, ["User.Read.All"]))
    assert_graph_error(reader.post(url(holder), body), 403, "Authorization_RequestDenied")
    password_admin = Api(client, user_token(client, org_a.password_admin))
    assert_graph_error(password_admin.post(url(holder), body), 403, "Authorization_RequestDenied")
    user_admin = Api(client, user_token(client, org_a.user_admin))
    assert_graph_error(user_admin.post(url(org_a.billing_admin), body), 403, "Authorization_RequestDenied")
    assert LicenseAssignment.objects.filter(user=holder).exists()
    assert user_admin.post(url(holder), body).status_code == 200

"""GET /v1.0/subscribedSkus: the organization's licenses per plan in Graph's shape, with the units of its own
subscriptions and assignments only, permissions and a fixed query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import Sku, Subscription
from tests.factories import make_user
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for, user_token
from users.models import LicenseAssignment

pytestmark = pytest.mark.django_db

SKUS = "/v1.0/subscribedSkus"
E3 = "6fd2c87f-b296-42f0-b197-1e91e994b900"
P1 = "bd09678e-b83c-4d3f-aaba-3dad4abd128b"


@pytest.fixture
def reader(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["Organization.Read.All"]))


def assign(org, sku, count):
    for n in range(count):
        LicenseAssignment.objects.create(tenant=org.tenant, user=make_user(org.tenant), sku=sku)


@pytest.fixture
def licensed(org_a, org_b):
    """Organization A: E3 enabled 25 + warning 5 with 3 assigned, P1 only suspended; B holds 2 E3 licenses."""
    e3, p1 = Sku.objects.get(pk=E3), Sku.objects.get(pk=P1)
    Subscription.objects.filter(tenant=org_a.tenant).delete()
    enabled = Subscription.objects.create(tenant=org_a.tenant, sku=e3, status="enabled", quantity=25, is_trial=True)
    warning = Subscription.objects.create(tenant=org_a.tenant, sku=e3, status="warning", quantity=5)
    Subscription.objects.create(tenant=org_a.tenant, sku=p1, status="suspended", quantity=10)
    assign(org_a, e3, 3)
    assign(org_b, e3, 2)
    return enabled, warning


def test_figures_per_plan(reader, org_a, licensed):
    enabled, warning = licensed
    response = reader.get(SKUS)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["@odata.context"].endswith("/v1.0/$metadata#subscribedSkus")
    by_part = {item["skuPartNumber"]: item for item in body["value"]}
    assert set(by_part) == {"ENTERPRISEPACK", "LITEPACK"}

    e3 = by_part["ENTERPRISEPACK"]
    assert e3["id"] == f"{org_a.tenant.pk}_{E3}"
    assert e3["skuId"] == E3
    assert e3["appliesTo"] == "User"
    assert e3["capabilityStatus"] == "Enabled"
    assert e3["consumedUnits"] == 3
    assert e3["prepaidUnits"] == {"enabled": 25, "suspended": 0, "warning": 5, "lockedOut": 0}
    assert sorted(e3["subscriptionIds"]) == sorted([str(enabled.pk), str(warning.pk)])
    assert e3["servicePlans"][0] == {"servicePlanId": "efb87545-963c-4e0d-99df-69c6916d9eb0",
                                     "servicePlanName": "EXCHANGE_S_ENTERPRISE", "provisioningStatus": "Success",
                                     "appliesTo": "User"}
    assert len(e3["servicePlans"]) == 5

    p1 = by_part["LITEPACK"]
    assert p1["capabilityStatus"] == "Suspended"
    assert p1["consumedUnits"] == 0
    assert p1["prepaidUnits"] == {"enabled": 0, "suspended": 10, "warning": 0, "lockedOut": 0}


def test_warning_only_and_deleted_subscriptions(reader, org_a, licensed):
    enabled, _warning = licensed
    enabled.status = "deleted"
    enabled.save()
    Subscription.objects.filter(tenant=org_a.tenant, sku_id=P1).update(status="deleted")
    (e3,) = reader.get(SKUS).json()["value"]
    assert e3["capabilityStatus"] == "Warning"
    assert e3["prepaidUnits"] == {"enabled": 0, "suspended": 0, "warning": 5, "lockedOut": 0}
    assert e3["consumedUnits"] == 3


def test_other_organizations_subscriptions_do_not_show(client, org_b, licensed):
    api = Api(client, token_for(client, org_b.tenant, ["Directory.Read.All"]))
    by_part = {item["skuPartNumber"]: item for item in api.get(SKUS).json()["value"]}
    assert set(by_part) == {"ENTERPRISEPACK"}  # B's own trial
    assert by_part["ENTERPRISEPACK"]["consumedUnits"] == 2
    assert by_part["ENTERPRISEPACK"]["id"].startswith(str(org_b.tenant.pk))


def test_select(reader, licensed):
    items = reader.get(SKUS, {"$select": "skuPartNumber,consumedUnits"}).json()["value"]
    assert all(set(item) == {"id", "skuPartNumber", "consumedUnits"} for item in items)
    assert_graph_error(reader.get(SKUS, {"$filter": "skuPartNumber eq 'LITEPACK'"}), 400, "Request_UnsupportedQuery")


def test_fixed_query_count(reader, org_a, licensed):
    with CaptureQueriesContext(connection) as few:
        assert reader.get(SKUS).status_code == 200
    assign(org_a, Sku.objects.get(pk=E3), 5)
    Subscription.objects.create(tenant=org_a.tenant, sku_id=E3, status="enabled", quantity=10)
    with CaptureQueriesContext(connection) as many:
        assert reader.get(SKUS).status_code == 200
    # The token's secret (with its app), the subscriptions with their plans, the assignments counted per plan.
    assert len(few) == len(many) == 3


@pytest.mark.parametrize("permissions, status", [(["Organization.Read.All"], 200), (["Organization.ReadWrite.All"], 200),
                                                 (["Directory.Read.All"], 200), (["Directory.ReadWrite.All"], 200),
                                                 (["User.Read.All", "RoleManagement.ReadWrite.Directory"], 403)])
def test_app_permissions(client, org_a, permissions, status):
    assert Api(client, token_for(client, org_a.tenant, permissions)).get(SKUS).status_code == status


@pytest.mark.parametrize("role_name, status", [("global_admin", 200), ("user_admin", 200), ("billing_admin", 200),
                                               ("password_admin", 403), ("service_admin", 403), ("user", 403)])
def test_people_whose_role_views_licenses(client, org_a, role_name, status):
    response = Api(client, user_token(client, org_a.member(role_name))).get(SKUS)
    assert response.status_code == status
    if status == 403:
        assert_graph_error(response, 403, "Authorization_RequestDenied")

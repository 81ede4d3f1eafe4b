"""DELETE /v1.0/users/{id} and /v1.0/directory/deletedItems (list, get, restore with Graph's
autoReconcileProxyConflict and our newUserPrincipalName, permanent delete): shapes, rules, isolation, roles."""

import pytest

from tests.factories import make_user
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for, user_token
from tests.users.lifecycle_helpers import ADMIN, licensed_user, plan_with_units
from users.lifecycle_services import user_delete
from users.models import LicenseAssignment, ProxyAddress, User

pytestmark = pytest.mark.django_db

DELETED = "/v1.0/directory/deletedItems"


@pytest.fixture
def writer(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["User.ReadWrite.All"]))


def deleted(tenant, alias):
    person = make_user(tenant, alias)
    user_delete(user=person, actor=ADMIN)
    return person


def test_delete_by_upn_frees_licenses_and_ends_the_persons_tokens(client, org_a, writer):
    sku = plan_with_units(org_a.tenant, 2)
    person = licensed_user(org_a.tenant, sku, "leaver")
    their_token = user_token(client, person)
    assert Api(client, their_token).get("/v1.0/me").status_code == 200

    response = writer.delete(f"/v1.0/users/{person.upn.upper()}")

    assert response.status_code == 204, response.content
    assert User.objects.get(pk=person.pk).deleted_at is not None
    assert not LicenseAssignment.objects.filter(user=person).exists()
    assert_graph_error(Api(client, their_token).get("/v1.0/me"), 401, "InvalidAuthenticationToken")
    assert_graph_error(writer.get(f"/v1.0/users/{person.pk}"), 404, "Request_ResourceNotFound")


def test_apps_cannot_delete_administrators(org_a, writer):
    error = assert_graph_error(writer.delete(f"/v1.0/users/{org_a.billing_admin.pk}"), 403,
                               "Authorization_RequestDenied")
    assert "administrator" in error["message"]
    assert User.objects.get(pk=org_a.billing_admin.pk).deleted_at is None


def test_person_cannot_delete_themselves(client, org_a):
    api = Api(client, user_token(client, org_a.global_admin))
    assert_graph_error(api.delete(f"/v1.0/users/{org_a.global_admin.pk}"), 403, "Authorization_RequestDenied")


def test_deleted_items_list_is_a_paged_graph_collection(org_a, org_b, writer):
    people = [deleted(org_a.tenant, f"gone{n}") for n in range(3)]
    deleted(org_b.tenant, "elsewhere")
    first = writer.get(f"{DELETED}/microsoft.graph.user", {"$top": "2", "$count": "true"})
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["@odata.context"].endswith("$metadata#directory/deletedItems/microsoft.graph.user")
    assert body["@odata.count"] == 3 and len(body["value"]) == 2
    item = body["value"][0]
    assert item["@odata.type"] == "#microsoft.graph.user" and item["deletedDateTime"].endswith("Z")
    second = writer.client.get(body["@odata.nextLink"], headers=writer.headers).json()
    assert {i["id"] for i in body["value"] + second["value"]} == {str(p.pk) for p in people}
    assert "@odata.nextLink" not in second


def test_get_a_deleted_item(org_a, writer):
    person = deleted(org_a.tenant, "gone")
    body = writer.get(f"{DELETED}/{person.pk}").json()
    assert body["id"] == str(person.pk) and body["userPrincipalName"] == person.upn and body["deletedDateTime"]
    assert_graph_error(writer.get(f"{DELETED}/{org_a.user.pk}"), 404, "Request_ResourceNotFound")


def test_restore_gives_the_user_back_with_its_licenses(org_a, writer):
    sku = plan_with_units(org_a.tenant, 1)
    person = licensed_user(org_a.tenant, sku, "back")
    user_delete(user=person, actor=ADMIN)
    response = writer.post(f"{DELETED}/{person.pk}/restore")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == str(person.pk) and body["assignedLicenses"] == [{"skuId": str(sku.pk), "disabledPlans": []}]
    assert User.objects.get(pk=person.pk).deleted_at is None


def test_restore_without_free_licenses_is_a_400(org_a, writer):
    sku = plan_with_units(org_a.tenant, 1)
    person = licensed_user(org_a.tenant, sku, "back")
    user_delete(user=person, actor=ADMIN)
    licensed_user(org_a.tenant, sku, "took")
    error = assert_graph_error(writer.post(f"{DELETED}/{person.pk}/restore", {}), 400, "Request_BadRequest")
    assert "does not have any available licenses" in error["message"]
    assert User.objects.get(pk=person.pk).deleted_at is not None


def test_user_name_conflict_is_a_clear_400_and_new_upn_resolves_it(org_a, writer):
    person = deleted(org_a.tenant, "geoff")
    make_user(org_a.tenant, "geoff")
    error = assert_graph_error(writer.post(f"{DELETED}/{person.pk}/restore", {}), 400, "Request_BadRequest")
    assert person.upn in error["message"] and "newUserPrincipalName" in error["message"]
    new = f"geoff.restored@{org_a.tenant.initial_domain}"
    response = writer.post(f"{DELETED}/{person.pk}/restore", {"newUserPrincipalName": new})
    assert response.status_code == 200, response.content
    assert response.json()["userPrincipalName"] == new


def test_proxy_conflict_needs_auto_reconcile(org_a, writer):
    address = f"sales@{org_a.tenant.initial_domain}"
    person = make_user(org_a.tenant, "ann")
    ProxyAddress.objects.create(tenant=org_a.tenant, user=person, address=address)
    user_delete(user=person, actor=ADMIN)
    ProxyAddress.objects.create(tenant=org_a.tenant, user=org_a.user, address=address)
    error = assert_graph_error(writer.post(f"{DELETED}/{person.pk}/restore", {}), 400, "Request_BadRequest")
    assert address in error["message"] and "autoReconcileProxyConflict" in error["message"]
    response = writer.post(f"{DELETED}/{person.pk}/restore", {"autoReconcileProxyConflict": True})
    assert response.status_code == 200, response.content
    assert not ProxyAddress.objects.filter(user=person, address=address).exists()


def test_unknown_restore_property_is_a_400(org_a, writer):
    person = deleted(org_a.tenant, "gone")
    assert_graph_error(writer.post(f"{DELETED}/{person.pk}/restore", {"bogus": 1}), 400, "BadRequest")
    assert User.objects.get(pk=person.pk).deleted_at is not None


def test_permanent_delete(org_a, writer):
    person = deleted(org_a.tenant, "gone")
    assert writer.delete(f"{DELETED}/{person.pk}").status_code == 204
    assert not User.objects.filter(pk=person.pk).exists()
    assert_graph_error(writer.delete(f"{DELETED}/{person.pk}"), 404, "Request_ResourceNotFound")
    assert_graph_error(writer.delete(f"{DELETED}/{org_a.user.pk}"), 404, "Request_ResourceNotFound")
    assert User.objects.filter(pk=org_a.user.pk).exists()


def test_other_tenant_gets_404(client, org_a, org_b):
    person = deleted(org_a.tenant, "gone")
    other = Api(client, token_for(client, org_b.tenant, ["User.ReadWrite.All"]))
    assert_graph_error(other.get(f"{DELETED}/{person.pk}"), 404, "Request_ResourceNotFound")
    assert_graph_error(other.post(f"{DELETED}/{person.pk}/restore", {}), 404, "Request_ResourceNotFound")
    assert_graph_error(other.delete(f"{DELETED}/{person.pk}"), 404, "Request_ResourceNotFound")
    assert_graph_error(other.delete(f"/v1.0/users/{org_a.user.pk}"), 404, "Request_ResourceNotFound")
    assert other.get(f"{DELETED}/microsoft.graph.user").json()["value"] == []
    assert User.objects.get(pk=person.pk).deleted_at is not None
    assert User.objects.get(pk=org_a.user.pk).deleted_at is None


def test_permission_without_the_right_gets_403(client, org_a):
    person = deleted(org_a.tenant, "gone")
    reader = Api(client, token_for(client, org_a.tenant, ["User.Read.All"]))
    assert reader.get(f"{DELETED}/microsoft.graph.user").status_code == 200
    assert_graph_error(reader.post(f"{DELETED}/{person.pk}/restore", {}), 403, "Authorization_RequestDenied")
    assert_graph_error(reader.delete(f"/v1.0/users/{org_a.user.pk}"), 403, "Authorization_RequestDenied")
    password_admin = Api(client, user_token(client, org_a.password_admin))
    assert_graph_error(password_admin.delete(f"/v1.0/users/{org_a.user.pk}"), 403, "Authorization_RequestDenied")
    assert User.objects.get(pk=org_a.user.pk).deleted_at is None
    assert User.objects.get(pk=person.pk).deleted_at is not None

"""POST /v1.0/users and PATCH /v1.0/users/{id}: Graph shapes and errors, the portal's rules, permissions."""

import pytest
from django.utils import timezone

from domains.models import Domain
from tenantadmin.models import AuditEvent
from users.models import User
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for, user_token

pytestmark = pytest.mark.django_db
PASSWORD_NEW = "Tulip#Field77"


def body(tenant, alias="geoff", **extra):
    return {"accountEnabled": True, "displayName": "Geoff Grant", "mailNickname": alias,
            "userPrincipalName": f"{alias}@{tenant.initial_domain}",
            "passwordProfile": {"password": PASSWORD_NEW, "forceChangePasswordNextSignIn": True}, **extra}


@pytest.fixture
def app_api(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["User.ReadWrite.All"]))


def test_create_answers_201_with_the_graph_user(app_api, org_a):
    response = app_api.post("/v1.0/users", body(org_a.tenant, givenName="Geoff", surname="Grant", jobTitle="Engineer",
                                                 businessPhones=["+31 30 123"], usageLocation="NL", city="Utrecht"))
    assert response.status_code == 201, response.content
    shape = response.json()
    assert shape["userPrincipalName"] == f"geoff@{org_a.tenant.initial_domain}"
    assert shape["jobTitle"] == "Engineer" and shape["businessPhones"] == ["+31 30 123"] and shape["usageLocation"] == "NL"
    assert shape["proxyAddresses"] == [f"SMTP:geoff@{org_a.tenant.initial_domain}"]
    user = User.objects.get(pk=shape["id"])
    assert user.check_password(PASSWORD_NEW) and user.must_change_password and user.tenant == org_a.tenant
    assert AuditEvent.objects.get(action="user.create", target_id=str(user.pk)).actor_type == "app"


def test_duplicate_user_principal_name_is_graphs_400(app_api, org_a):
    error = assert_graph_error(app_api.post("/v1.0/users", body(org_a.tenant, alias=org_a.user.alias)), 400,
                               "Request_BadRequest")
    assert error["message"] == "Another object with the same value for property userPrincipalName already exists."


def test_upn_across_domains_rule_holds_in_the_api(app_api, org_a):
    Domain.objects.create(tenant=org_a.tenant, name="contoso.com", status="verified", verified_at=timezone.now())
    first = {**body(org_a.tenant), "userPrincipalName": "geoff@contoso.com"}
    assert app_api.post("/v1.0/users", first).status_code == 201
    error = assert_graph_error(app_api.post("/v1.0/users", body(org_a.tenant)), 400, "Request_BadRequest")
    assert "userPrincipalName already exists" in error["message"]


@pytest.mark.parametrize("change, words", [
    ({"userPrincipalName": "geoff@nowhere.example"}, "verified domain"),
    ({"passwordProfile": {"password": "short"}}, "password complexity"),
    ({"proxyAddresses": ["smtp:x@y.z"]}, "read-only"),
    ({"jobTitle": "x" * 65}, "jobTitle"),
    ({"mailNickname": "bad nick"}, "mailNickname"),
])
def test_bad_values_are_400_and_create_nothing(app_api, org_a, change, words):
    error = assert_graph_error(app_api.post("/v1.0/users", {**body(org_a.tenant), **change}), 400, "Request_BadRequest")
    assert words in error["message"]
    assert not User.objects.filter(upn__startswith="geoff@").exists()


def test_missing_required_property_is_400(app_api, org_a):
    incomplete = body(org_a.tenant)
    del incomplete["mailNickname"]
    assert_graph_error(app_api.post("/v1.0/users", incomplete), 400, "BadRequest")


def test_patch_changes_only_the_sent_properties_and_renames(app_api, org_a):
    target = org_a.user
    response = app_api.patch(f"/v1.0/users/{target.upn}", {"department": "Sales", "mobilePhone": None,
                                                             "accountEnabled": False, "usageLocation": "DE",
                                                             "userPrincipalName": f"renamed@{org_a.tenant.initial_domain}"})
    assert response.status_code == 204, response.content
    target.refresh_from_db()
    assert (target.department, target.is_active, target.usage_location.code) == ("Sales", False, "DE")
    assert target.upn == f"renamed@{org_a.tenant.initial_domain}" and target.display_name == "Plain"
    assert target.proxy_addresses.get(is_primary=True).address == target.upn


def test_patch_of_an_administrator_needs_directory_write(client, app_api, org_a):
    assert_graph_error(app_api.patch(f"/v1.0/users/{org_a.billing_admin.pk}", {"department": "X"}), 403,
                       "Authorization_RequestDenied")
    directory = Api(client, token_for(client, org_a.tenant, ["Directory.ReadWrite.All"]))
    assert directory.patch(f"/v1.0/users/{org_a.billing_admin.pk}", {"department": "X"}).status_code == 204


def test_user_admins_token_changes_people_without_a_role_only(client, org_a):
    api = Api(client, user_token(client, org_a.user_admin))
    assert api.patch(f"/v1.0/users/{org_a.user.pk}", {"jobTitle": "Clerk"}).status_code == 204
    assert_graph_error(api.patch(f"/v1.0/users/{org_a.global_admin.pk}", {"jobTitle": "X"}), 403,
                       "Authorization_RequestDenied")
    assert api.post("/v1.0/users", body(org_a.tenant)).status_code == 201


@pytest.mark.parametrize("role_name", ["billing_admin", "password_admin", "service_admin", "user"])
def test_roles_without_the_right_get_403(client, org_a, role_name):
    api = Api(client, user_token(client, org_a.member(role_name)))
    assert_graph_error(api.post("/v1.0/users", body(org_a.tenant)), 403, "Authorization_RequestDenied")
    assert_graph_error(api.patch(f"/v1.0/users/{org_a.user.pk}", {"jobTitle": "X"}), 403, "Authorization_RequestDenied")


def test_app_without_write_permission_gets_403(client, org_a):
    api = Api(client, token_for(client, org_a.tenant, ["User.Read.All"]))
    assert_graph_error(api.post("/v1.0/users", body(org_a.tenant)), 403, "Authorization_RequestDenied")


def test_other_tenant_gets_404_and_cannot_use_its_domain(client, org_a, org_b):
    api = Api(client, token_for(client, org_b.tenant, ["Directory.ReadWrite.All"]))
    assert_graph_error(api.patch(f"/v1.0/users/{org_a.user.pk}", {"jobTitle": "X"}), 404, "Request_ResourceNotFound")
    assert_graph_error(api.patch(f"/v1.0/users/{org_a.user.upn}", {"jobTitle": "X"}), 404, "Request_ResourceNotFound")
    error = assert_graph_error(api.post("/v1.0/users", body(org_a.tenant, alias="intruder")), 400, "Request_BadRequest")
    assert "verified domain" in error["message"]

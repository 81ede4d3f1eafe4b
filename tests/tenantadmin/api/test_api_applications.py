"""/v1.0/applications: register apps, manage their secrets, and the effect on tokens."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from tenantadmin.api.permissions import APPLICATION_PERMISSIONS, GRAPH_RESOURCE_APP_ID, PERMISSION_IDS
from tenantadmin.models import AppRegistration, AppSecret, AuditEvent
from tests.tenantadmin.api.apihelpers import (
    Api,
    assert_graph_error,
    credentials,
    mint_token,
    register_app,
    request_token,
    token_for,
)

APPS = "/v1.0/applications"


def graph_permissions(*names):
    return [{"resourceAppId": GRAPH_RESOURCE_APP_ID,
             "resourceAccess": [{"id": PERMISSION_IDS[name], "type": "Role"} for name in names]}]


@pytest.fixture
def manager(client, org_a):
    # A provisioning app holding every permission, so it may grant any of them.
    return Api(client, token_for(client, org_a.tenant, list(APPLICATION_PERMISSIONS), name="Provisioner"))


def test_an_app_cannot_grant_permissions_it_does_not_hold(client, org_a):
    limited = Api(client, token_for(client, org_a.tenant, ["Application.ReadWrite.All"], name="Limited"))
    response = limited.post(APPS, {"displayName": "Escalate",
                                   "requiredResourceAccess": graph_permissions("Directory.ReadWrite.All")})
    error = assert_graph_error(response, 403, "Authorization_RequestDenied")
    assert "Directory.ReadWrite.All" in error["message"]
    assert not AppRegistration.objects.filter(tenant=org_a.tenant, display_name="Escalate").exists()
    # What it holds itself it may pass on.
    response = limited.post(APPS, {"displayName": "Peer",
                                   "requiredResourceAccess": graph_permissions("Application.ReadWrite.All")})
    assert response.status_code == 201


def create(manager, name="Reporting", *permissions):
    response = manager.post(APPS, {"displayName": name, "requiredResourceAccess": graph_permissions(*permissions)})
    assert response.status_code == 201, response.content
    return response.json()


def add_password(manager, app_id, **credential):
    response = manager.post(f"{APPS}/{app_id}/addPassword", {"passwordCredential": credential})
    assert response.status_code == 200, response.content
    return response.json()


def test_create_registers_the_app_with_graph_permissions(manager, org_a):
    body = create(manager, "Reporting", "AuditLog.Read.All", "Organization.Read.All")

    app = AppRegistration.objects.get(pk=body["id"], tenant=org_a.tenant)
    assert app.display_name == "Reporting"
    assert sorted(app.permissions) == ["AuditLog.Read.All", "Organization.Read.All"]
    assert body["appId"] == str(app.client_id)
    assert body["passwordCredentials"] == []
    assert {access["id"] for access in body["requiredResourceAccess"][0]["resourceAccess"]} == {
        PERMISSION_IDS["AuditLog.Read.All"], PERMISSION_IDS["Organization.Read.All"]}
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="app_registration.create", target_id=str(app.pk))
    assert event.actor_type == "app" and event.actor_label.startswith("Provisioner")


@pytest.mark.parametrize("required", [
    [{"resourceAppId": GRAPH_RESOURCE_APP_ID, "resourceAccess": [{"id": str(uuid.uuid4()), "type": "Role"}]}],
    [{"resourceAppId": GRAPH_RESOURCE_APP_ID,
      "resourceAccess": [{"id": PERMISSION_IDS["User.Read.All"], "type": "Scope"}]}],
    [{"resourceAppId": str(uuid.uuid4()), "resourceAccess": []}],
])
def test_create_refuses_permissions_we_cannot_grant(manager, org_a, required):
    response = manager.post(APPS, {"displayName": "Bad", "requiredResourceAccess": required})
    assert_graph_error(response, 400, "BadRequest")
    assert not AppRegistration.objects.filter(tenant=org_a.tenant, display_name="Bad").exists()


def test_create_without_name_is_400(manager):
    error = assert_graph_error(manager.post(APPS, {"requiredResourceAccess": []}), 400, "BadRequest")
    assert "displayName" in error["message"]
    error = assert_graph_error(manager.post(APPS, {"displayName": "   "}), 400, "BadRequest")
    assert "displayName" in error["message"]


def test_list_filter_and_select(manager, org_a, org_b):
    create(manager, "Alpha")
    create(manager, "Beta")
    register_app(org_b.tenant, [], name="Alpha of B")

    names = [app["displayName"] for app in manager.get(APPS).json()["value"]]
    assert names == ["Alpha", "Beta", "Provisioner"]
    body = manager.get(APPS, {"$filter": "startswith(displayName,'al')", "$select": "displayName"}).json()
    assert [set(app) for app in body["value"]] == [{"id", "displayName"}]
    assert [app["displayName"] for app in body["value"]] == ["Alpha"]
    pages = manager.get(APPS, {"$top": "2", "$orderby": "displayName desc"}).json()
    assert [app["displayName"] for app in pages["value"]] == ["Provisioner", "Beta"]
    assert "@odata.nextLink" in pages


def test_add_password_returns_the_secret_once_and_it_works(client, manager, org_a):
    app_id = create(manager, "Reader", "Organization.Read.All")["id"]
    end = timezone.now() + timedelta(days=75)

    credential = add_password(manager, app_id, displayName="CI", endDateTime=end.isoformat())

    assert credential["displayName"] == "CI"
    assert credential["hint"] == credential["secretText"][:3]
    assert credential["endDateTime"] >= end.isoformat()[:10]  # rounded up to whole 30-day months
    secret = AppSecret.objects.get(pk=credential["keyId"], tenant=org_a.tenant)
    assert (secret.expires_at - timezone.now()).days in (89, 90)
    app = AppRegistration.objects.get(pk=app_id)
    token = mint_token(client, app, credential["secretText"])
    assert Api(client, token).get("/v1.0/organization").status_code == 200
    listed = manager.get(f"{APPS}/{app_id}").json()["passwordCredentials"]
    assert [(c["keyId"], c["secretText"]) for c in listed] == [(credential["keyId"], None)]


def test_add_password_without_end_date_uses_the_default(manager):
    app_id = create(manager)["id"]
    response = manager.post(f"{APPS}/{app_id}/addPassword", {})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("days", [725, -1])
def test_add_password_refuses_an_end_date_out_of_range(manager, days):
    app_id = create(manager)["id"]
    end = (timezone.now() + timedelta(days=days)).isoformat()
    response = manager.post(f"{APPS}/{app_id}/addPassword", {"passwordCredential": {"endDateTime": end}})
    error = assert_graph_error(response, 400, "BadRequest")
    assert "endDateTime" in error["message"]


def test_remove_password_stops_the_secret_and_its_tokens(client, manager):
    app_id = create(manager, "Reader", "Organization.Read.All")["id"]
    credential = add_password(manager, app_id)
    app = AppRegistration.objects.get(pk=app_id)
    token = mint_token(client, app, credential["secretText"])

    response = manager.post(f"{APPS}/{app_id}/removePassword", {"keyId": credential["keyId"]})

    assert response.status_code == 204
    assert request_token(client, app.tenant_id, **credentials(app, credential["secretText"])).status_code == 401
    assert_graph_error(Api(client, token).get("/v1.0/organization"), 401, "InvalidAuthenticationToken")
    assert manager.get(f"{APPS}/{app_id}").json()["passwordCredentials"] == []
    again = manager.post(f"{APPS}/{app_id}/removePassword", {"keyId": credential["keyId"]})
    assert_graph_error(again, 404, "Request_ResourceNotFound")


def test_patch_renames_and_replaces_permissions(manager):
    app_id = create(manager, "Old", "AuditLog.Read.All")["id"]

    response = manager.patch(f"{APPS}/{app_id}", {"displayName": "New",
                                                  "requiredResourceAccess": graph_permissions("User.Read.All")})

    assert response.status_code == 204
    app = AppRegistration.objects.get(pk=app_id)
    assert (app.display_name, app.permissions) == ("New", ["User.Read.All"])


@pytest.mark.parametrize(("body", "named"), [
    ({"passwordCredentials": []}, "passwordCredentials"),
    ({"appId": str(uuid.uuid4())}, "appId"),
    ({"displayName": None}, "displayName"),
    ({"signInAudience": "AzureADMultipleOrgs"}, "signInAudience"),
])
def test_patch_rejects_what_cannot_change(manager, body, named):
    app_id = create(manager, "Fixed")["id"]
    error = assert_graph_error(manager.patch(f"{APPS}/{app_id}", body), 400, "BadRequest")
    assert named in error["message"]
    assert AppRegistration.objects.get(pk=app_id).display_name == "Fixed"


def test_delete_removes_the_app_and_its_tokens(client, manager):
    app_id = create(manager, "Doomed", "Organization.Read.All")["id"]
    credential = add_password(manager, app_id)
    token = mint_token(client, AppRegistration.objects.get(pk=app_id), credential["secretText"])

    assert manager.delete(f"{APPS}/{app_id}").status_code == 204

    assert not AppRegistration.objects.filter(pk=app_id).exists()
    assert_graph_error(manager.get(f"{APPS}/{app_id}"), 404, "Request_ResourceNotFound")
    assert_graph_error(Api(client, token).get("/v1.0/organization"), 401, "InvalidAuthenticationToken")


def test_other_tenant_gets_404_for_every_app_route(client, org_a, org_b):
    app_a, secret_a, _plain = register_app(org_a.tenant, ["Organization.Read.All"], name="Of A")
    api_b = Api(client, token_for(client, org_b.tenant, ["Application.ReadWrite.All"]))
    path = f"{APPS}/{app_a.pk}"

    for response in (
        api_b.get(path),
        api_b.patch(path, {"displayName": "Hijacked"}),
        api_b.delete(path),
        api_b.post(f"{path}/addPassword", {}),
        api_b.post(f"{path}/removePassword", {"keyId": str(secret_a.pk)}),
    ):
        assert_graph_error(response, 404, "Request_ResourceNotFound")
    app_a.refresh_from_db()
    assert app_a.display_name == "Of A"
    assert not AppSecret.objects.get(pk=secret_a.pk).revoked_at
    assert AppSecret.objects.filter(app=app_a).count() == 1
    assert str(app_a.pk) not in {app["id"] for app in api_b.get(APPS).json()["value"]}


def test_malformed_id_is_404(manager):
    assert_graph_error(manager.get(f"{APPS}/not-a-guid"), 404, "Request_ResourceNotFound")


def test_needs_the_application_permission(client, org_a):
    api = Api(client, token_for(client, org_a.tenant, ["Directory.ReadWrite.All"]))
    assert_graph_error(api.get(APPS), 403, "Authorization_RequestDenied")
    assert_graph_error(api.post(APPS, {"displayName": "Sneaky"}), 403, "Authorization_RequestDenied")

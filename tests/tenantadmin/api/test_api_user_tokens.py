"""People's tokens: the resource-owner password grant, the checks a person's token goes through on every
request, and delegated permissions (the token's scopes AND the person's roles)."""

from datetime import timedelta

import jwt
import pytest
from django.urls import reverse
from django.utils import timezone

from tenantadmin.actors import Actor
from tenantadmin.api.auth import DELEGATED_PERMISSIONS
from tenantadmin.api.permissions import APPLICATION_PERMISSIONS
from tenantadmin.api.tokens import token_verify
from tenantadmin.models import AppRegistration, AuditEvent
from tenantadmin.services.app_registrations import app_registration_delete, app_registration_update
from tests.tenantadmin.api.apihelpers import (
    Api,
    assert_graph_error,
    password_grant,
    register_app,
    register_public_client,
    request_token,
    user_token,
)
from users.password_services import password_change
from users.services import users_set_sign_in

ORG = "/v1.0/organization"
APPS = "/v1.0/applications"
WRONG = "Wrong#Password1"
NEW_PASSWORD = "Tulip#Field77"


@pytest.fixture
def sign_in_app(org_a):
    return register_public_client(org_a.tenant)


def assert_oauth_error(response, status, error, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == error
    assert body["error_codes"] == [code]
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert response["Cache-Control"] == "no-store"
    return body


def sign_in(client, org, app, username, password):
    return request_token(client, org.tenant.pk, **password_grant(app, username, password))


# --------------------------------------------------------------------------- the password grant


def test_person_gets_a_delegated_token(client, org_a, sign_in_app, password, settings):
    response = sign_in(client, org_a, sign_in_app, org_a.user.upn.upper(), password)  # user IDs ignore case

    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == settings.API_TOKEN_LIFETIME_SECONDS
    assert body["scope"] == "User.Read User.ReadWrite"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["oid"] == str(org_a.user.pk)
    assert claims["upn"] == org_a.user.upn
    assert claims["tid"] == str(org_a.tenant.pk)
    assert claims["appid"] == str(sign_in_app.client_id)
    assert claims["scp"] == "User.Read User.ReadWrite"
    assert "roles" not in claims
    org_a.user.refresh_from_db()
    assert org_a.user.last_login is not None


def test_administrator_token_also_acts_on_the_directory(client, org_a, sign_in_app, password):
    body = sign_in(client, org_a, sign_in_app, org_a.billing_admin.upn, password).json()
    assert body["scope"] == "User.Read User.ReadWrite Directory.AccessAsUser.All"
    assert jwt.decode(body["access_token"], options={"verify_signature": False})["scp"] == body["scope"]


def test_sign_in_by_verified_domain_and_with_a_default_scope(client, org_a, sign_in_app, password):
    fields = password_grant(sign_in_app, org_a.user.upn, password, scope="https://graph.microsoft.com/.default openid")
    assert request_token(client, org_a.tenant.initial_domain, **fields).status_code == 200


@pytest.mark.parametrize("missing", ["client_id", "username", "password", "scope"])
def test_missing_field_is_named(client, org_a, sign_in_app, password, missing):
    fields = password_grant(sign_in_app, org_a.user.upn, password)
    del fields[missing]
    body = assert_oauth_error(request_token(client, org_a.tenant.pk, **fields), 400, "invalid_request", 900144)
    assert f"'{missing}'" in body["error_description"]


def test_unknown_scope_is_refused(client, org_a, sign_in_app, password):
    fields = password_grant(sign_in_app, org_a.user.upn, password, scope="User.Read Mail.Send")
    body = assert_oauth_error(request_token(client, org_a.tenant.pk, **fields), 400, "invalid_scope", 70011)
    assert "'Mail.Send'" in body["error_description"]


def test_app_without_public_client_flows_is_refused(client, org_a, password):
    app, _secret, _plain = register_app(org_a.tenant, [])
    response = sign_in(client, org_a, app, org_a.user.upn, password)
    body = assert_oauth_error(response, 400, "unauthorized_client", 7000218)
    assert "Allow sign-in by people" in body["error_description"]


def test_app_of_another_organization_is_not_found(client, org_a, org_b, password):
    app_b = register_public_client(org_b.tenant)
    assert_oauth_error(sign_in(client, org_a, app_b, org_a.user.upn, password), 400, "unauthorized_client", 700016)


def test_public_client_that_sends_a_secret_must_send_a_good_one(client, org_a, password):
    app, _secret, plain = register_app(org_a.tenant, [])
    app_registration_update(app=app, actor=Actor.system("tests"), public_client_enabled=True)
    fields = password_grant(app, org_a.user.upn, password, client_secret=plain + "x")
    assert_oauth_error(request_token(client, org_a.tenant.pk, **fields), 401, "invalid_client", 7000215)
    fields["client_secret"] = plain
    assert request_token(client, org_a.tenant.pk, **fields).status_code == 200


@pytest.mark.parametrize("who", ["wrong_password", "unknown_user", "other_organization"])
def test_bad_credentials_get_one_answer(client, org_a, org_b, sign_in_app, password, who):
    username = {"wrong_password": org_a.user.upn, "unknown_user": f"nobody@{org_a.tenant.initial_domain}",
                "other_organization": org_b.user.upn}[who]
    response = sign_in(client, org_a, sign_in_app, username, WRONG if who == "wrong_password" else password)
    body = assert_oauth_error(response, 400, "invalid_grant", 50126)
    assert body["error_description"] == ("AADSTS50126: Error validating credentials due to invalid username or "
                                         "password.")


def test_blocked_account_is_told_only_with_the_right_password(client, org_a, sign_in_app, password):
    users_set_sign_in(user_ids=[org_a.user.pk], allowed=False, actor=Actor.system("tests"))
    response = sign_in(client, org_a, sign_in_app, org_a.user.upn, password)
    body = assert_oauth_error(response, 400, "invalid_grant", 50057)
    assert "The user account is disabled." in body["error_description"]
    assert_oauth_error(sign_in(client, org_a, sign_in_app, org_a.user.upn, WRONG), 400, "invalid_grant", 50126)


def test_repeated_failures_lock_the_account_in_oauth_shape(client, org_a, sign_in_app, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert_oauth_error(sign_in(client, org_a, sign_in_app, org_a.user.upn, WRONG), 400, "invalid_grant", 50126)
    assert_oauth_error(sign_in(client, org_a, sign_in_app, org_a.user.upn, WRONG), 400, "invalid_grant", 50053)
    # Even the right password is refused while locked, and the answer stays JSON (not axes' page).
    response = sign_in(client, org_a, sign_in_app, org_a.user.upn, password)
    body = assert_oauth_error(response, 400, "invalid_grant", 50053)
    assert "locked" in body["error_description"]
    # The portal's sign-in page counts the same lock.
    response = client.post(reverse("users:signin"), {"username": org_a.user.upn, "password": password})
    assert response.status_code == 429


def test_success_clears_earlier_failures(client, org_a, sign_in_app, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, org_a, sign_in_app, org_a.user.upn, WRONG)
    assert sign_in(client, org_a, sign_in_app, org_a.user.upn, password).status_code == 200
    assert_oauth_error(sign_in(client, org_a, sign_in_app, org_a.user.upn, WRONG), 400, "invalid_grant", 50126)


def test_temporary_password_is_refused_until_changed_in_the_portal(client, org_a, sign_in_app, password):
    user = org_a.user
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    body = assert_oauth_error(sign_in(client, org_a, sign_in_app, user.upn, password), 400, "invalid_grant", 50055)
    assert "The password is expired." in body["error_description"]

    password_change(user=user, actor=Actor.for_user(user), current_password=password, new_password=NEW_PASSWORD)
    assert sign_in(client, org_a, sign_in_app, user.upn, NEW_PASSWORD).status_code == 200


def test_expired_password_is_refused(client, org_a, sign_in_app, password, time_machine):
    tenant = org_a.tenant
    tenant.passwords_expire, tenant.password_expiry_days = True, 30
    tenant.save(update_fields=["passwords_expire", "password_expiry_days"])
    time_machine.move_to(timezone.now() + timedelta(days=31))
    assert_oauth_error(sign_in(client, org_a, sign_in_app, org_a.user.upn, password), 400, "invalid_grant", 50055)


def test_support_staff_cannot_sign_in_to_an_organization(client, org_a, sign_in_app, django_user_model):
    django_user_model.objects.create_superuser("support@operator.example", "Staff#Pass123")
    response = sign_in(client, org_a, sign_in_app, "support@operator.example", "Staff#Pass123")
    assert_oauth_error(response, 400, "invalid_grant", 50126)


def test_client_credentials_still_need_a_secret(client, org_a, sign_in_app):
    fields = {"grant_type": "client_credentials", "client_id": str(sign_in_app.client_id),
              "scope": "https://graph.microsoft.com/.default"}
    body = assert_oauth_error(request_token(client, org_a.tenant.pk, **fields), 400, "invalid_request", 900144)
    assert "'client_secret'" in body["error_description"]


# --------------------------------------------------------------------------- using a person's token


def test_token_verification_costs_one_query(client, org_a, django_assert_num_queries):
    token = user_token(client, org_a.user)
    with django_assert_num_queries(1):
        grant = token_verify(token)
        assert grant.user.pk == org_a.user.pk and grant.tenant.pk == org_a.tenant.pk


def test_blocking_the_person_ends_their_tokens(client, org_a):
    api = Api(client, user_token(client, org_a.user))
    assert api.get("/v1.0/me").status_code == 200
    users_set_sign_in(user_ids=[org_a.user.pk], allowed=False, actor=Actor.system("tests"))
    error = assert_graph_error(api.get("/v1.0/me"), 401, "InvalidAuthenticationToken")
    assert "disabled" in error["message"]


def test_deleting_the_person_ends_their_tokens(client, org_a):
    api = Api(client, user_token(client, org_a.user))
    type(org_a.user).objects.filter(pk=org_a.user.pk).update(deleted_at=timezone.now())
    assert_graph_error(api.get("/v1.0/me"), 401, "InvalidAuthenticationToken")


def test_a_password_change_ends_older_tokens_only(client, org_a, password):
    old = Api(client, user_token(client, org_a.user))
    password_change(user=org_a.user, actor=Actor.for_user(org_a.user), current_password=password,
                    new_password=NEW_PASSWORD)
    error = assert_graph_error(old.get("/v1.0/me"), 401, "InvalidAuthenticationToken")
    assert "password" in error["message"]
    # A token fetched right after the change (even within the same second) works.
    assert Api(client, user_token(client, org_a.user, NEW_PASSWORD)).get("/v1.0/me").status_code == 200


def test_password_becoming_temporary_ends_tokens(client, org_a):
    api = Api(client, user_token(client, org_a.user))
    type(org_a.user).objects.filter(pk=org_a.user.pk).update(must_change_password=True)
    assert_graph_error(api.get("/v1.0/me"), 401, "InvalidAuthenticationToken")


@pytest.mark.parametrize("change", ["turn_off", "delete"])
def test_app_no_longer_allowing_sign_in_ends_tokens(client, org_a, sign_in_app, change):
    api = Api(client, user_token(client, org_a.user, app=sign_in_app))
    actor = Actor.system("tests")
    if change == "turn_off":
        app_registration_update(app=sign_in_app, actor=actor, public_client_enabled=False)
    else:
        app_registration_delete(app=sign_in_app, actor=actor)
    assert_graph_error(api.get("/v1.0/me"), 401, "InvalidAuthenticationToken")


def test_forged_person_token_for_another_organization_is_refused(client, org_a, org_b):
    claims = jwt.decode(user_token(client, org_a.user), options={"verify_signature": False})
    forged = jwt.encode({**claims, "tid": str(org_b.tenant.pk)}, "guessed-key-long-enough-for-hs256-signing",
                        algorithm="HS256")
    assert_graph_error(Api(client, forged).get("/v1.0/me"), 401, "InvalidAuthenticationToken")


# --------------------------------------------------------------------------- delegated permissions


def test_every_application_permission_has_a_delegated_meaning():
    assert set(DELEGATED_PERMISSIONS) == set(APPLICATION_PERMISSIONS)


def test_role_decides_what_an_administrators_token_may_do(client, org_a):
    global_admin = Api(client, user_token(client, org_a.global_admin))
    assert global_admin.get(ORG).status_code == 200
    assert global_admin.get(APPS).status_code == 200
    assert global_admin.get("/v1.0/auditLogs/directoryAudits").status_code == 200

    billing_admin = Api(client, user_token(client, org_a.billing_admin))
    assert billing_admin.get(ORG).status_code == 200  # every administrator views the organization
    assert_graph_error(billing_admin.get(APPS), 403, "Authorization_RequestDenied")
    assert_graph_error(billing_admin.patch(f"{ORG}/{org_a.tenant.pk}", {"city": "Delft"}), 403,
                       "Authorization_RequestDenied")


def test_person_without_a_role_may_only_act_on_themselves(client, org_a):
    api = Api(client, user_token(client, org_a.user))
    assert_graph_error(api.get(ORG), 403, "Authorization_RequestDenied")
    assert_graph_error(api.get(APPS), 403, "Authorization_RequestDenied")


def test_role_removed_after_sign_in_is_gone_at_once(client, org_a):
    api = Api(client, user_token(client, org_a.global_admin))
    org_a.global_admin.role_assignments.all().delete()
    assert_graph_error(api.get(APPS), 403, "Authorization_RequestDenied")


def test_delegated_change_is_audited_as_the_person(client, org_a):
    api = Api(client, user_token(client, org_a.global_admin))
    assert api.patch(f"{ORG}/{org_a.tenant.pk}", {"city": "Delft"}).status_code == 204
    event = AuditEvent.objects.filter(tenant=org_a.tenant, action="organization.update").latest("id")
    assert event.actor_id == org_a.global_admin.pk and event.actor_label == org_a.global_admin.upn


def test_global_admin_registers_a_public_client_with_a_token(client, org_a):
    body = {"displayName": "Made by a person", "isFallbackPublicClient": True, "requiredResourceAccess": [{
        "resourceAppId": "00000003-0000-0000-c000-000000000000",
        "resourceAccess": [{"id": "498476ce-e0fe-48b0-b801-37ba7e2685c6", "type": "Role"}]}]}
    response = Api(client, user_token(client, org_a.global_admin)).post(APPS, body)
    assert response.status_code == 201, response.content
    assert response.json()["isFallbackPublicClient"] is True
    app = AppRegistration.objects.get(pk=response.json()["id"])
    assert app.created_by_id == org_a.global_admin.pk
    assert app.public_client_enabled and app.permissions == ["Organization.Read.All"]


# --------------------------------------------------------------------------- registering a public client


def test_applications_api_shows_and_changes_public_client_flows(client, org_a):
    api = Api(client, user_token(client, org_a.global_admin))
    app, _secret, _plain = register_app(org_a.tenant, [])
    assert api.get(f"{APPS}/{app.pk}").json()["isFallbackPublicClient"] is False
    assert api.patch(f"{APPS}/{app.pk}", {"isFallbackPublicClient": True}).status_code == 204
    app.refresh_from_db()
    assert app.public_client_enabled
    event = AuditEvent.objects.filter(tenant=org_a.tenant, action="app_registration.update").latest("id")
    assert event.changes == {"public_client_enabled": [False, True]}
    listed = api.get(APPS, {"$filter": "isFallbackPublicClient eq true", "$select": "isFallbackPublicClient"}).json()
    # This app and the app the global admin signed in through.
    public = AppRegistration.objects.filter(tenant=org_a.tenant, public_client_enabled=True).values_list("pk", flat=True)
    assert sorted(item["id"] for item in listed["value"]) == sorted(str(pk) for pk in public)
    assert str(app.pk) in [item["id"] for item in listed["value"]]
    assert_graph_error(api.patch(f"{APPS}/{app.pk}", {"isFallbackPublicClient": "yes"}), 400, "BadRequest")


def test_admin_ticks_allow_sign_in_by_people_on_the_app_page(client_for, org_a):
    portal = client_for(org_a.global_admin)
    response = portal.post(reverse("tenantadmin:app_create"),
                           {"display_name": "Scripts", "public_client_enabled": "on"})
    app = AppRegistration.objects.get(tenant=org_a.tenant, display_name="Scripts")
    assert response.status_code == 302 and app.public_client_enabled
    page = portal.get(reverse("tenantadmin:app_detail", args=[app.pk])).content.decode()
    assert "Allow sign-in by people (public client)" in page
    portal.post(reverse("tenantadmin:app_detail", args=[app.pk]), {"display_name": "Scripts"})
    app.refresh_from_db()
    assert not app.public_client_enabled

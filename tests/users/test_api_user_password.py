"""PATCH /v1.0/users/{id} with passwordProfile: the administrator's password reset through the API."""

import pytest

from tenantadmin.models import AuditEvent
from tests.tenantadmin.api.apihelpers import (
    Api,
    assert_graph_error,
    password_grant,
    register_public_client,
    request_token,
    token_for,
    user_token,
)

pytestmark = pytest.mark.django_db

CHOSEN = "Tulip#Field77"
PROFILE = {"passwordProfile": {"password": CHOSEN}}


def url(user_or_ref) -> str:
    return f"/v1.0/users/{getattr(user_or_ref, 'pk', user_or_ref)}"


@pytest.fixture
def app_api(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["User.ReadWrite.All"]))


def test_app_resets_a_password_that_must_be_changed_at_next_sign_in(client, app_api, org_a, password):
    user = org_a.user
    old_token = Api(client, user_token(client, user))
    assert app_api.patch(url(user), PROFILE).status_code == 204

    user.refresh_from_db()
    assert user.check_password(CHOSEN) and user.must_change_password
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="user.password_reset", target_id=str(user.pk))
    assert event.changes == {"must_change_password": [False, True]}
    assert CHOSEN not in str(event.changes) and event.actor_type == "app"
    # Every token the person held is over, and the temporary password gets no new one.
    assert_graph_error(old_token.get("/v1.0/me"), 401, "InvalidAuthenticationToken")
    response = request_token(client, org_a.tenant.pk, **password_grant(register_public_client(org_a.tenant),
                                                                       user.upn, CHOSEN))
    assert response.status_code == 400 and response.json()["error_codes"] == [50055]


def test_reset_without_forced_change_lets_the_person_sign_in(client, app_api, org_a):
    body = {"passwordProfile": {"password": CHOSEN, "forceChangePasswordNextSignIn": False}}
    assert app_api.patch(url(org_a.user), body).status_code == 204
    org_a.user.refresh_from_db()
    assert not org_a.user.must_change_password
    assert Api(client, user_token(client, org_a.user, CHOSEN)).get("/v1.0/me").status_code == 200


def test_user_is_found_by_user_principal_name(app_api, org_a):
    assert app_api.patch(url(org_a.user.upn.upper()), PROFILE).status_code == 204
    org_a.user.refresh_from_db()
    assert org_a.user.check_password(CHOSEN)


def test_global_administrators_token_resets_an_administrator(client, org_a):
    api = Api(client, user_token(client, org_a.global_admin))
    assert api.patch(url(org_a.user_admin), PROFILE).status_code == 204
    org_a.user_admin.refresh_from_db()
    assert org_a.user_admin.check_password(CHOSEN)
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="user.password_reset",
                                   target_id=str(org_a.user_admin.pk))
    assert event.actor_id == org_a.global_admin.pk


@pytest.mark.parametrize("role", ["password_admin", "user_admin"])
def test_password_and_user_admins_reset_only_people_without_a_role(client, org_a, password, role):
    api = Api(client, user_token(client, org_a.member(role)))
    assert api.patch(url(org_a.user), PROFILE).status_code == 204
    for admin in (org_a.global_admin, org_a.billing_admin):
        assert_graph_error(api.patch(url(admin), PROFILE), 403, "Authorization_RequestDenied")
        admin.refresh_from_db()
        assert admin.check_password(password)


@pytest.mark.parametrize("role", ["billing_admin", "service_admin", "user"])
def test_roles_without_the_right_get_403(client, org_a, password, role):
    target = org_a.password_admin if role == "user" else org_a.user
    api = Api(client, user_token(client, org_a.member(role)))
    assert_graph_error(api.patch(url(target), PROFILE), 403, "Authorization_RequestDenied")
    target.refresh_from_db()
    assert target.check_password(password)


def test_nobody_resets_their_own_password_here(client, org_a):
    api = Api(client, user_token(client, org_a.global_admin))
    error = assert_graph_error(api.patch(url(org_a.global_admin), PROFILE), 403, "Authorization_RequestDenied")
    assert "/me/changePassword" in error["message"]


def test_app_without_user_write_permission_gets_403(client, org_a):
    api = Api(client, token_for(client, org_a.tenant, ["User.Read.All", "Organization.ReadWrite.All"]))
    assert_graph_error(api.patch(url(org_a.user), PROFILE), 403, "Authorization_RequestDenied")


def test_app_cannot_reset_an_administrators_password(client, org_a, password):
    api = Api(client, token_for(client, org_a.tenant, ["Directory.ReadWrite.All"]))
    assert api.patch(url(org_a.user), PROFILE).status_code == 204  # Directory.ReadWrite.All includes the right
    assert_graph_error(api.patch(url(org_a.global_admin), PROFILE), 403, "Authorization_RequestDenied")
    org_a.global_admin.refresh_from_db()
    assert org_a.global_admin.check_password(password)


def test_policy_violations_are_400_with_each_rule_and_nothing_changes(app_api, org_a, password):
    alias = org_a.user.alias
    body = {"passwordProfile": {"password": f"{alias}lower"}}
    error = assert_graph_error(app_api.patch(url(org_a.user), body), 400, "Request_BadRequest")
    assert error["message"].startswith("The specified password does not comply with password complexity requirements.")
    for rule in ("Include an upper-case letter.", "Include a digit or a symbol.", "Do not include your user name."):
        assert rule in error["message"]
    org_a.user.refresh_from_db()
    assert org_a.user.check_password(password) and not org_a.user.must_change_password
    assert not AuditEvent.objects.filter(tenant=org_a.tenant, action="user.password_reset").exists()


@pytest.mark.parametrize("body", [{"passwordProfile": {}}, {"passwordProfile": {"password": CHOSEN, "x": 1}},
                                  {"passwordProfile": {"password": CHOSEN, "forceChangePasswordNextSignIn": "no"}}])
def test_malformed_password_profile_is_400(app_api, org_a, body):
    assert_graph_error(app_api.patch(url(org_a.user), body), 400, "BadRequest")


def test_other_properties_change_with_the_password_all_or_nothing(app_api, org_a, password):
    body = {"displayName": "Renamed", "passwordProfile": {"password": "short"}}
    assert_graph_error(app_api.patch(url(org_a.user), body), 400, "Request_BadRequest")
    org_a.user.refresh_from_db()
    assert org_a.user.check_password(password) and org_a.user.display_name != "Renamed"
    assert app_api.patch(url(org_a.user), {"displayName": "Renamed", **PROFILE}).status_code == 204
    org_a.user.refresh_from_db()
    assert org_a.user.check_password(CHOSEN) and org_a.user.display_name == "Renamed"


@pytest.mark.parametrize("ref", ["id", "upn"])
def test_another_organizations_user_is_404(client, org_a, org_b, password, ref):
    target = org_a.user
    path = url(target if ref == "id" else target.upn)
    for api in (Api(client, token_for(client, org_b.tenant, ["User.ReadWrite.All"])),
                Api(client, user_token(client, org_b.global_admin))):
        assert_graph_error(api.patch(path, PROFILE), 404, "Request_ResourceNotFound")
    target.refresh_from_db()
    assert target.check_password(password)


def test_unknown_or_deleted_user_is_404(app_api, org_a):
    assert_graph_error(app_api.patch(url("00000000-0000-0000-0000-000000000000"), PROFILE), 404,
                       "Request_ResourceNotFound")
    assert_graph_error(app_api.patch(url("nobody@nowhere.example"), PROFILE), 404, "Request_ResourceNotFound")

"""The token endpoint (client-credentials grant) and the checks every token goes through on /v1.0."""

from datetime import timedelta

import jwt
import pytest
import time_machine
from django.utils import timezone

from domains.models import Domain
from tenantadmin.actors import Actor
from tenantadmin.api.tokens import token_verify
from tenantadmin.services.app_registrations import app_registration_update, app_secret_create, app_secret_revoke
from tests.tenantadmin.api.apihelpers import (
    Api,
    assert_graph_error,
    credentials,
    mint_token,
    register_app,
    request_token,
)

ORG = "/v1.0/organization"


@pytest.fixture
def app_a(org_a):
    return register_app(org_a.tenant, ["Organization.Read.All"])


def assert_oauth_error(response, status, error, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == error
    assert body["error_codes"] == [code]
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert body["timestamp"] and body["trace_id"] and body["correlation_id"]
    assert response["Cache-Control"] == "no-store"
    return body


def test_token_by_tenant_id_is_a_bearer_token_that_opens_the_api(client, app_a, settings):
    app, secret, plain = app_a
    response = request_token(client, app.tenant_id, **credentials(app, plain))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == body["ext_expires_in"] == settings.API_TOKEN_LIFETIME_SECONDS
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["tid"] == str(app.tenant_id)
    assert claims["appid"] == str(app.client_id)
    assert claims["oid"] == str(app.pk)
    assert claims["sid"] == str(secret.pk)
    assert claims["roles"] == ["Organization.Read.All"]
    assert claims["aud"] == "tenantadmin-api"
    assert claims["iss"] == f"{settings.PUBLIC_URL}/{app.tenant_id}/v2.0"
    assert Api(client, body["access_token"]).get(ORG).status_code == 200


def test_token_by_verified_domain_name(client, org_a, app_a):
    app, _secret, plain = app_a
    token = mint_token(client, app, plain, tenant_ref=org_a.tenant.initial_domain.upper())
    assert Api(client, token).get(ORG).status_code == 200


def test_unverified_domain_is_an_unknown_tenant(client, org_a, app_a):
    app, _secret, plain = app_a
    Domain.objects.create(tenant=org_a.tenant, name="pending.example")
    response = request_token(client, "pending.example", **credentials(app, plain))
    body = assert_oauth_error(response, 400, "invalid_request", 90002)
    assert "Tenant 'pending.example' not found." in body["error_description"]


def test_unknown_tenant_id(client, app_a):
    app, _secret, plain = app_a
    response = request_token(client, "00000000-0000-0000-0000-000000000000", **credentials(app, plain))
    assert_oauth_error(response, 400, "invalid_request", 90002)


@pytest.mark.parametrize("missing", ["grant_type", "client_id", "client_secret", "scope"])
def test_missing_field_is_named(client, app_a, missing):
    app, _secret, plain = app_a
    fields = credentials(app, plain)
    del fields[missing]
    body = assert_oauth_error(request_token(client, app.tenant_id, **fields), 400, "invalid_request", 900144)
    assert f"'{missing}'" in body["error_description"]


def test_json_body_is_not_accepted(client, app_a):
    app, _secret, plain = app_a
    response = client.post(f"/{app.tenant_id}/oauth2/v2.0/token", data=credentials(app, plain),
                           content_type="application/json")
    body = assert_oauth_error(response, 400, "invalid_request", 900144)
    assert "'grant_type'" in body["error_description"]


def test_other_grant_type(client, app_a):
    app, _secret, plain = app_a
    response = request_token(client, app.tenant_id, **credentials(app, plain, grant_type="authorization_code"))
    assert_oauth_error(response, 400, "unsupported_grant_type", 70003)


@pytest.mark.parametrize("scope", ["User.Read", "https://graph.microsoft.com/User.Read.All", "/.default",
                                   "https://graph.microsoft.com/.default offline_access"])
def test_scope_must_be_a_resource_default_scope(client, app_a, scope):
    app, _secret, plain = app_a
    response = request_token(client, app.tenant_id, **credentials(app, plain, scope=scope))
    assert_oauth_error(response, 400, "invalid_scope", 1002012)


@pytest.mark.parametrize("client_id", ["00000000-0000-0000-0000-000000000000", "not-a-guid"])
def test_unknown_client_id(client, app_a, client_id):
    app, _secret, plain = app_a
    response = request_token(client, app.tenant_id, **credentials(app, plain, client_id=client_id))
    body = assert_oauth_error(response, 400, "unauthorized_client", 700016)
    assert f"'{client_id}'" in body["error_description"]
    assert f"'{app.tenant_id}'" in body["error_description"]


def test_app_of_another_tenant_is_not_found_in_this_directory(client, org_a, org_b):
    app_b, _secret, plain_b = register_app(org_b.tenant, ["Organization.Read.All"])
    response = request_token(client, org_a.tenant.pk, **credentials(app_b, plain_b))
    assert_oauth_error(response, 400, "unauthorized_client", 700016)


def test_wrong_secret(client, app_a):
    app, _secret, plain = app_a
    response = request_token(client, app.tenant_id, **credentials(app, plain + "x"))
    assert_oauth_error(response, 401, "invalid_client", 7000215)


def test_secret_of_another_app_of_the_same_tenant(client, org_a, app_a):
    app, _secret, _plain = app_a
    _other, _other_secret, other_plain = register_app(org_a.tenant, [], name="Other")
    response = request_token(client, app.tenant_id, **credentials(app, other_plain))
    assert_oauth_error(response, 401, "invalid_client", 7000215)


def test_revoked_secret(client, app_a):
    app, secret, plain = app_a
    app_secret_revoke(secret=secret, actor=Actor.system("tests"))
    response = request_token(client, app.tenant_id, **credentials(app, plain))
    assert_oauth_error(response, 401, "invalid_client", 7000215)


def test_expired_secret(client, app_a):
    app, _secret, _plain = app_a
    _old, old_plain = app_secret_create(app=app, actor=Actor.system("tests"), months=1,
                                        now=timezone.now() - timedelta(days=31))
    response = request_token(client, app.tenant_id, **credentials(app, old_plain))
    assert_oauth_error(response, 401, "invalid_client", 7000222)


def test_correlation_id_echoes_the_client_request_id(client, app_a):
    app, _secret, plain = app_a
    response = client.post(f"/{app.tenant_id}/oauth2/v2.0/token", data=credentials(app, plain, grant_type="x"),
                           content_type="application/x-www-form-urlencoded", headers={"client-request-id": "abc-123"})
    assert response.json()["correlation_id"] == "abc-123"


# --------------------------------------------------------------------------- using tokens


def _flip(token: str, index: int) -> str:
    char = "A" if token[index] != "A" else "B"
    return token[:index] + char + token[index + 1:]


def test_tampered_token_is_refused(client, app_a):
    app, _secret, plain = app_a
    token = mint_token(client, app, plain)
    header, payload, signature = token.split(".")
    tampered_signature = ".".join([header, payload, _flip(signature, len(signature) // 2)])
    tampered_payload = ".".join([header, _flip(payload, len(payload) // 2), signature])
    for bad in (tampered_signature, tampered_payload):
        error = assert_graph_error(Api(client, bad).get(ORG), 401, "InvalidAuthenticationToken")
        assert "signature" in error["message"].lower() or "malformed" in error["message"].lower()


def test_token_signed_with_another_key_is_refused(client, app_a):
    app, _secret, plain = app_a
    claims = jwt.decode(mint_token(client, app, plain), options={"verify_signature": False})
    forged = jwt.encode(claims, "a-guessed-key-that-is-long-enough-for-hs256", algorithm="HS256")
    assert_graph_error(Api(client, forged).get(ORG), 401, "InvalidAuthenticationToken")


@pytest.mark.parametrize("authorization", ["Bearer", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz", "Bearer abc"])
def test_malformed_authorization_is_401(client, app_a, authorization):
    response = client.get(ORG, headers={"Authorization": authorization})
    assert_graph_error(response, 401, "InvalidAuthenticationToken")
    assert response["WWW-Authenticate"] == "Bearer"


def test_expired_token_is_refused(client, app_a, settings):
    app, _secret, plain = app_a
    token = mint_token(client, app, plain)
    later = timezone.now() + timedelta(seconds=settings.API_TOKEN_LIFETIME_SECONDS + 31)
    with time_machine.travel(later, tick=False):
        error = assert_graph_error(Api(client, token).get(ORG), 401, "InvalidAuthenticationToken")
    assert "expired" in error["message"]


def test_token_within_clock_leeway_still_works(client, app_a, settings):
    app, _secret, plain = app_a
    token = mint_token(client, app, plain)
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.API_TOKEN_LIFETIME_SECONDS + 10), tick=False):
        assert Api(client, token).get(ORG).status_code == 200


def test_token_of_a_revoked_secret_stops_working_at_once(client, app_a):
    app, secret, plain = app_a
    token = mint_token(client, app, plain)
    app_secret_revoke(secret=secret, actor=Actor.system("tests"))
    assert_graph_error(Api(client, token).get(ORG), 401, "InvalidAuthenticationToken")


def test_token_of_an_app_that_lost_the_permission_gets_403(client, app_a):
    app, _secret, plain = app_a
    token = mint_token(client, app, plain)
    app_registration_update(app=app, actor=Actor.system("tests"), permissions=["AuditLog.Read.All"])
    error = assert_graph_error(Api(client, token).get(ORG), 403, "Authorization_RequestDenied")
    assert error["message"] == "Insufficient privileges to complete the operation."


def test_permission_added_after_issue_needs_a_new_token(client, org_a):
    app, _secret, plain = register_app(org_a.tenant, ["AuditLog.Read.All"])
    token = mint_token(client, app, plain)
    app_registration_update(app=app, actor=Actor.system("tests"), permissions=["AuditLog.Read.All",
                                                                                "Organization.Read.All"])
    assert Api(client, token).get(ORG).status_code == 403
    assert Api(client, mint_token(client, app, plain)).get(ORG).status_code == 200


def test_token_verification_costs_one_query(client, app_a, django_assert_num_queries):
    app, _secret, plain = app_a
    token = mint_token(client, app, plain)
    with django_assert_num_queries(1):
        grant = token_verify(token)
        assert grant.tenant.pk == app.tenant_id and grant.app.pk == app.pk
        assert "Organization.Read.All" in grant.permissions

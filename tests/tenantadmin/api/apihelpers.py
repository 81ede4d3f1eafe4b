"""Helpers for API tests: register apps, mint tokens (of apps and of people) through the real token
endpoint, call /v1.0."""

import json
from urllib.parse import urlencode

from tenantadmin.actors import Actor
from tenantadmin.services.app_registrations import app_registration_create, app_secret_create
from tests.factories import PASSWORD

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
FORM = "application/x-www-form-urlencoded"


def register_app(tenant, permissions, *, name="Automation", months=6):
    """An app registration of `tenant` with one secret; returns (app, secret, secret text)."""
    actor = Actor.system("tests")
    app = app_registration_create(tenant=tenant, actor=actor, display_name=name, permissions=list(permissions))
    secret, plain = app_secret_create(app=app, actor=actor, months=months)
    return app, secret, plain


def request_token(client, tenant_ref, **fields):
    """POST the form-encoded fields to the token endpoint of `tenant_ref` (an id or a verified domain)."""
    return client.post(f"/{tenant_ref}/oauth2/v2.0/token", data=urlencode(fields), content_type=FORM)


def credentials(app, plain, **overrides):
    fields = {"grant_type": "client_credentials", "client_id": str(app.client_id), "client_secret": plain,
              "scope": GRAPH_SCOPE}
    fields.update(overrides)
    return fields


def mint_token(client, app, plain, tenant_ref=None) -> str:
    response = request_token(client, tenant_ref or app.tenant_id, **credentials(app, plain))
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def token_for(client, tenant, permissions, **kwargs) -> str:
    """A token of a new app of `tenant` holding `permissions`."""
    app, _secret, plain = register_app(tenant, permissions, **kwargs)
    return mint_token(client, app, plain)


def register_public_client(tenant, *, name="Sign-in app"):
    """An app of `tenant` through which people may sign in (no permissions, no secret)."""
    return app_registration_create(tenant=tenant, actor=Actor.system("tests"), display_name=name, permissions=[],
                                   public_client_enabled=True)


def password_grant(app, username, password=PASSWORD, **overrides):
    """The form fields of a person's sign-in (resource-owner password grant) through `app`."""
    fields = {"grant_type": "password", "client_id": str(app.client_id), "username": username, "password": password,
              "scope": "User.Read"}
    fields.update(overrides)
    return fields


def user_token(client, user, password=PASSWORD, *, app=None) -> str:
    """A token of `user`, signed in through `app` (a new public client app of their organization by default)."""
    app = app or register_public_client(user.tenant)
    response = request_token(client, user.tenant_id, **password_grant(app, user.upn, password))
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


class Api:
    """The Django test client with a bearer token and JSON bodies."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, params=None, **headers):
        return self.client.get(path, params or {}, headers={**self.headers, **headers})

    def _send(self, method, path, body, headers):
        data = "" if body is None else json.dumps(body)
        return getattr(self.client, method)(path, data=data, content_type="application/json",
                                            headers={**self.headers, **headers})

    def post(self, path, body=None, **headers):
        return self._send("post", path, body, headers)

    def patch(self, path, body=None, **headers):
        return self._send("patch", path, body, headers)

    def delete(self, path, **headers):
        return self._send("delete", path, None, headers)


def assert_graph_error(response, status: int, code: str) -> dict:
    """The response is a Graph error with this status and code; returns its `error` object."""
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"]
    assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}
    return error

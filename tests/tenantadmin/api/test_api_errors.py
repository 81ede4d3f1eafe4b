"""Every failure under /v1.0 answers with Graph's error body."""

import uuid

import pytest
from django.test import Client, RequestFactory

from tenantadmin.api.app import api
from tests.tenantadmin.api.apihelpers import (
    Api,
    assert_graph_error,
    credentials,
    register_app,
    request_token,
    token_for,
)


@pytest.fixture
def reader(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["Directory.Read.All", "AuditLog.Read.All"]))


def test_no_token_is_401_with_graph_body_and_challenge(client, org_a):
    response = client.get("/v1.0/organization", headers={"client-request-id": "my-request-7"})
    error = assert_graph_error(response, 401, "InvalidAuthenticationToken")
    assert error["message"] == "Access token is empty."
    assert error["innerError"]["client-request-id"] == "my-request-7"
    uuid.UUID(error["innerError"]["request-id"])
    assert error["innerError"]["date"].endswith("Z")
    assert response["WWW-Authenticate"] == "Bearer"
    assert response["client-request-id"] == "my-request-7"
    assert response["request-id"] == error["innerError"]["request-id"]


def test_signed_in_portal_session_is_not_an_api_credential(client_for, org_a):
    client = client_for(org_a.global_admin)
    assert_graph_error(client.get("/v1.0/organization"), 401, "InvalidAuthenticationToken")


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete", "put"])
def test_unknown_path_is_graph_404_for_any_method(client, method):
    response = getattr(client, method)("/v1.0/nothingHere", content_type="application/json")
    error = assert_graph_error(response, 404, "Request_ResourceNotFound")
    assert error["message"] == "Resource not found for the segment 'nothingHere'."


def test_unknown_sub_resource_names_the_segment(reader, org_a):
    response = reader.get(f"/v1.0/organization/{org_a.tenant.pk}/branding")
    error = assert_graph_error(response, 404, "Request_ResourceNotFound")
    assert "'branding'" in error["message"]


def test_method_not_allowed_is_graph_405(reader, org_a):
    response = reader.delete(f"/v1.0/organization/{org_a.tenant.pk}")
    assert_graph_error(response, 405, "MethodNotAllowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}


def test_malformed_filter_is_400_bad_request(reader):
    error = assert_graph_error(reader.get("/v1.0/auditLogs/directoryAudits", {"$filter": "activityDateTime ge"}),
                               400, "BadRequest")
    assert "$filter" in error["message"]


def test_unknown_property_in_filter_names_it(reader):
    error = assert_graph_error(reader.get("/v1.0/organization", {"$filter": "colour eq 'red'"}), 400, "BadRequest")
    assert "colour" in error["message"]


def test_unsupported_expand_is_request_unsupported_query(reader):
    assert_graph_error(reader.get("/v1.0/organization", {"$expand": "extensions"}), 400, "Request_UnsupportedQuery")


def test_bad_top_is_400(reader):
    assert_graph_error(reader.get("/v1.0/auditLogs/directoryAudits", {"$top": "1000"}), 400, "BadRequest")


def test_invalid_json_body_is_400_naming_the_property(client, org_a):
    writer = Api(client, token_for(client, org_a.tenant, ["Organization.ReadWrite.All"]))
    response = writer.patch("/v1.0/tenantadmin/serviceSettings", {"deviceWipeAfterFailures": "many"})
    error = assert_graph_error(response, 400, "BadRequest")
    assert "deviceWipeAfterFailures" in error["message"]


def test_body_that_is_not_json_is_400(client, org_a):
    writer = Api(client, token_for(client, org_a.tenant, ["Organization.ReadWrite.All"]))
    response = client.patch("/v1.0/tenantadmin/serviceSettings", data="{not json", content_type="application/json",
                            headers=writer.headers)
    assert_graph_error(response, 400, "BadRequest")


def test_unexpected_error_is_500_without_details(caplog):
    request = RequestFactory().get("/v1.0/organization")
    response = api.on_exception(request, RuntimeError("database password is hunter2"))

    assert response.status_code == 500
    body = response.content.decode()
    assert "InternalServerError" in body
    assert "hunter2" not in body and "Traceback" not in body
    assert "hunter2" in caplog.text  # the operator still gets the details in the log


def test_api_needs_no_csrf_token(org_a):
    """Programs send no CSRF cookie: the token endpoint, the API and the fallback are CSRF-exempt."""
    client = Client(enforce_csrf_checks=True)
    app, _secret, plain = register_app(org_a.tenant, ["Organization.ReadWrite.All"])
    response = request_token(client, org_a.tenant.pk, **credentials(app, plain))
    assert response.status_code == 200
    writer = Api(client, response.json()["access_token"])
    assert writer.patch(f"/v1.0/organization/{org_a.tenant.pk}", {"city": "Lisbon"}).status_code == 204
    assert_graph_error(writer.post("/v1.0/nothingHere", {}), 404, "Request_ResourceNotFound")

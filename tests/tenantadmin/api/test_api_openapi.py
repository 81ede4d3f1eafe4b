"""The OpenAPI description and docs, and that every API route demands a token."""

import re
import uuid

import pytest

from tenantadmin.api import urls as api_urls
from tests.tenantadmin.api.apihelpers import assert_graph_error

TOKEN_PATH = "/{tenant}/oauth2/v2.0/token"


@pytest.fixture
def schema(client, db):
    response = client.get("/v1.0/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_openapi_describes_the_api(schema):
    assert schema["info"]["title"] == "tenantadmin API"
    assert schema["info"]["version"] == "v1.0"
    assert "client-credentials grant" in schema["info"]["description"]
    assert "/v1.0/tenantadmin/" in schema["info"]["description"]
    assert {"/v1.0/organization", "/v1.0/organization/{org_id}", "/v1.0/auditLogs/directoryAudits",
            "/v1.0/applications", "/v1.0/applications/{app_id}/addPassword",
            "/v1.0/tenantadmin/serviceSettings", TOKEN_PATH} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["AppToken"] == {"type": "http", "scheme": "bearer",
                                                                   "bearerFormat": "JWT"}
    patch = schema["components"]["schemas"]["OrganizationPatch"]
    assert "displayName" in patch["properties"] and patch["additionalProperties"] is False
    list_params = {p["name"] for p in schema["paths"]["/v1.0/applications"]["get"]["parameters"]}
    assert {"$filter", "$select", "$top", "$orderby", "$count", "$skiptoken"} <= list_params


def test_only_the_token_endpoint_is_open(schema):
    open_routes = [(path, method) for path, method, operation in operations(schema) if not operation.get("security")]
    assert open_routes == [(TOKEN_PATH, "post")]


def test_docs_page_renders_from_local_files(client, db):
    response = client.get("/v1.0/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page and "/v1.0/openapi.json" in page
    assert "cdn." not in page


def test_every_url_of_the_api_is_in_the_openapi_document(schema):
    """So the 401 walk below cannot miss a route hidden from the schema."""
    [api_include, _fallback] = api_urls.urlpatterns
    routes = set()
    for pattern in api_include.url_patterns:
        if pattern.name in ("openapi-json", "openapi-view"):
            continue
        routes.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern)))
    assert routes == set(schema["paths"])


def test_every_route_without_a_token_is_401(client, schema):
    checked = 0
    for path, method, _operation in operations(schema):
        if path == TOKEN_PATH:
            continue
        url = re.sub(r"{\w+}", str(uuid.uuid4()), path)
        body = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
        response = getattr(client, method)(url, **body)
        assert_graph_error(response, 401, "InvalidAuthenticationToken")
        checked += 1
    assert checked >= 14

"""The billing routes are described in the published OpenAPI document."""

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_lists_the_billing_routes(client):
    paths = client.get("/v1.0/openapi.json").json()["paths"]
    for path in ("/v1.0/directory/subscriptions", "/v1.0/directory/subscriptions/{subscription_id}",
                 "/v1.0/tenantadmin/billing/orders", "/v1.0/tenantadmin/billing/orders/{order_id}",
                 "/v1.0/tenantadmin/billing/orders/{order_id}/invoice.pdf"):
        assert "get" in paths[path], path

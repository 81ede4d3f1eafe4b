"""/v1.0/directory/subscriptions (Graph's companySubscription) and /v1.0/tenantadmin/billing/orders with PDFs."""

import io

import pytest
import time_machine
from pypdf import PdfReader

from billing.lifecycle import lifecycle_run
from billing.services import trial_start
from billing.models import Sku
from tenantadmin.actors import Actor
from tests.billing.billinghelpers import T0, buy
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for, user_token

pytestmark = pytest.mark.django_db
SUBSCRIPTIONS = "/v1.0/directory/subscriptions"
ORDERS = "/v1.0/tenantadmin/billing/orders"


def test_company_subscriptions_in_graph_shape(client, org_a):
    bought = buy(org_a, "STANDARDPACK", 12, now=T0).lines.get().subscription
    api = Api(client, token_for(client, org_a.tenant, ["Organization.Read.All"]))
    body = api.get(SUBSCRIPTIONS).json()
    assert body["@odata.context"].endswith("/v1.0/$metadata#directory/subscriptions")
    item = next(s for s in body["value"] if s["id"] == str(bought.pk))
    assert item["skuId"] == "18181a46-0d4e-45cd-891e-60aabd171b4e" and item["skuPartNumber"] == "STANDARDPACK"
    assert (item["status"], item["totalLicenses"], item["isTrial"]) == ("Enabled", 12, False)
    assert item["nextLifecycleDateTime"] == "2027-03-01T09:00:00Z"
    assert {plan["servicePlanName"] for plan in item["serviceStatus"]} >= {"EXCHANGE_S_STANDARD"}
    one = api.get(f"{SUBSCRIPTIONS}/{bought.pk}", {"$select": "status,totalLicenses"}).json()
    assert one["totalLicenses"] == 12 and "skuId" not in one


def test_status_names_follow_the_lifecycle(client, org_a):
    trial = trial_start(tenant=org_a.tenant, sku=Sku.objects.get(part_number="LITEPACK"), actor=Actor.system("t"), now=T0)
    lifecycle_run(T0.replace(month=4))
    api = Api(client, token_for(client, org_a.tenant, ["Directory.Read.All"]))
    item = api.get(f"{SUBSCRIPTIONS}/{trial.pk}").json()
    assert (item["status"], item["isTrial"]) == ("Warning", True)
    assert api.get(SUBSCRIPTIONS, {"$filter": "isTrial eq true", "$count": "true"}).json()["@odata.count"] >= 1


def test_orders_with_lines_and_the_invoice_pdf(client, org_a):
    order = buy(org_a, "ENTERPRISEPACK", 2, now=T0, country="NL")
    api = Api(client, token_for(client, org_a.tenant, ["Billing.Read.All"]))
    body = api.get(ORDERS).json()
    assert [o["number"] for o in body["value"]] == [1]
    item = api.get(f"{ORDERS}/{order.pk}").json()
    assert (item["currency"], item["subtotal"], item["taxRate"], item["tax"], item["total"]) == (
        "USD", "480.00", "21.00", "100.80", "580.80")
    assert item["lines"][0]["skuPartNumber"] == "ENTERPRISEPACK" and item["lines"][0]["quantity"] == 2
    assert item["invoiceUrl"].endswith(f"{ORDERS}/{order.pk}/invoice.pdf")
    pdf = api.get(f"{ORDERS}/{order.pk}/invoice.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Invoice 1" in text and "580.80 USD" in text


@pytest.mark.parametrize("permissions, status", [(["Billing.Read.All"], 200), (["Billing.ReadWrite.All"], 200),
                                                 (["Organization.Read.All"], 403), (["User.Read.All"], 403)])
def test_order_permissions(client, org_a, permissions, status):
    assert Api(client, token_for(client, org_a.tenant, permissions)).get(ORDERS).status_code == status


@pytest.mark.parametrize("role_name, status", [("global_admin", 200), ("billing_admin", 200), ("user_admin", 403),
                                               ("password_admin", 403), ("service_admin", 403), ("user", 403)])
def test_people_need_a_billing_role(client, org_a, role_name, status):
    api = Api(client, user_token(client, org_a.member(role_name)))
    for path in (SUBSCRIPTIONS, ORDERS):
        response = api.get(path)
        assert response.status_code == status, path
        if status == 403:
            assert_graph_error(response, 403, "Authorization_RequestDenied")


def test_other_organization_gets_404(client, org_a, org_b):
    order = buy(org_a, now=T0)
    subscription = order.lines.get().subscription
    api = Api(client, token_for(client, org_b.tenant, ["Billing.Read.All", "Directory.Read.All"]))
    for path in (f"{SUBSCRIPTIONS}/{subscription.pk}", f"{ORDERS}/{order.pk}", f"{ORDERS}/{order.pk}/invoice.pdf",
                 f"{ORDERS}/not-a-guid"):
        assert_graph_error(api.get(path), 404, "Request_ResourceNotFound")
    assert all(s["id"] != str(subscription.pk) for s in api.get(SUBSCRIPTIONS).json()["value"])


WRITES = "/v1.0/tenantadmin/billing/subscriptions"


def test_change_quantity_preview_then_apply_and_cancel(client, org_a):
    subscription = buy(org_a, "STANDARDPACK", 10).lines.get().subscription
    api = Api(client, token_for(client, org_a.tenant, ["Billing.ReadWrite.All"]))
    with time_machine.travel("2026-09-01T12:00:00Z", tick=False):
        early = Api(client, token_for(client, org_a.tenant, ["Billing.ReadWrite.All"], name="Early"))
        preview = early.post(f"{WRITES}/{subscription.pk}/changeQuantity", {"quantity": 12, "preview": True})
    # 2 × 8.00 × 12 × 181/365 days = 95.21
    assert preview.status_code == 200 and preview.json()["total"] == "95.21"
    subscription.refresh_from_db()
    assert subscription.quantity == 10
    refused = api.post(f"{WRITES}/{subscription.pk}/changeQuantity", {"quantity": 8})
    assert_graph_error(refused, 400, "BadRequest")
    done = api.post(f"{WRITES}/{subscription.pk}/changeQuantity", {"quantity": 12, "idempotencyKey": "api-1"})
    assert done.status_code == 201 and done.json()["kind"] == "quantity"
    subscription.refresh_from_db()
    assert subscription.quantity == 12
    cancelled = api.post(f"{WRITES}/{subscription.pk}/cancel", {"reason": "Moving"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "Enabled"
    assert api.post(f"{WRITES}/{subscription.pk}/reactivate").status_code == 200


def test_writes_need_billing_readwrite(client, org_a, org_b):
    subscription = buy(org_a).lines.get().subscription
    reader = Api(client, token_for(client, org_a.tenant, ["Billing.Read.All"]))
    assert_graph_error(reader.post(f"{WRITES}/{subscription.pk}/cancel", {"reason": "x"}), 403,
                       "Authorization_RequestDenied")
    other = Api(client, token_for(client, org_b.tenant, ["Billing.ReadWrite.All"], name="B"))
    assert_graph_error(other.post(f"{WRITES}/{subscription.pk}/cancel", {"reason": "x"}), 404, "Request_ResourceNotFound")
    subscription.refresh_from_db()
    assert not subscription.is_cancelled

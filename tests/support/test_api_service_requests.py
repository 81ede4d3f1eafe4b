"""/v1.0/tenantadmin/serviceRequests: list, create, get, conversation, add a message, close."""

import pytest

from support.models_requests import ServiceRequest
from support.request_services import staff_reply
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.support.requesthelpers import open_request, upload
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for

pytestmark = pytest.mark.django_db

REQUESTS = "/v1.0/tenantadmin/serviceRequests"


def test_create_list_get_reply_and_close(client, org_a, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.SUPPORT_STAFF_EMAIL = "queue@support.example"
    writer = Api(client, token_for(client, org_a.tenant, ["Directory.ReadWrite.All"], name="Writer"))
    with django_capture_on_commit_callbacks(execute=True):
        response = writer.post(REQUESTS, {"category": "transfer_ownership", "title": "Move the account",
                                          "description": "To our new IT lead.", "contactEmail": "it@example.net"})
    assert response.status_code == 201, response.content
    created = response.json()
    sr = ServiceRequest.objects.get(tenant=org_a.tenant)
    assert created["id"] == str(sr.pk) and created["reference"] == "SR-1" and created["status"] == "new"
    assert created["@odata.context"].endswith("#tenantadmin/serviceRequests/$entity")
    assert [m.to for m in mailoutbox] == [["queue@support.example"]]
    assert AuditEvent.objects.get(tenant=org_a.tenant, action="support.request_created").actor_type == "app"

    reader = Api(client, token_for(client, org_a.tenant, ["Directory.Read.All"]))
    listed = reader.get(REQUESTS, {"$filter": "status eq 'new'"}).json()
    assert [item["title"] for item in listed["value"]] == ["Move the account"]
    assert reader.get(f"{REQUESTS}/{sr.pk}", {"$select": "title,status"}).json()["title"] == "Move the account"
    assert_graph_error(reader.post(f"{REQUESTS}/{sr.pk}/close"), 403, "Authorization_RequestDenied")

    staff_reply(sr=sr, actor=Actor.system("support"), body="Who is the new owner?", status="waiting",
                files=[upload("form.pdf", b"%PDF-1.4 x")])
    conversation = reader.get(f"{REQUESTS}/{sr.pk}/messages").json()["value"]
    assert [(m["authorKind"], m["author"], m["body"]) for m in conversation] == [
        ("staff", "Support", "Who is the new owner?")]
    assert conversation[0]["attachments"][0]["contentType"] == "application/pdf"
    answer = writer.post(f"{REQUESTS}/{sr.pk}/messages", {"body": "Adele Vance"})
    assert answer.status_code == 201 and answer.json()["authorKind"] == "customer"
    sr.refresh_from_db()
    assert sr.status == "in_progress"

    closed = writer.post(f"{REQUESTS}/{sr.pk}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert_graph_error(writer.post(f"{REQUESTS}/{sr.pk}/messages", {"body": "more"}), 400, "BadRequest")


def test_bad_input_is_a_graph_400(client, org_a):
    writer = Api(client, token_for(client, org_a.tenant, ["Directory.ReadWrite.All"]))
    body = assert_graph_error(writer.post(REQUESTS, {"category": "nope", "title": "t", "description": "d",
                                                    "contactEmail": "a@example.net"}), 400, "BadRequest")
    assert "category" in body["message"]
    body = assert_graph_error(writer.post(REQUESTS, {"category": "other", "title": "t" * 121, "description": "d",
                                                    "contactEmail": "a@example.net"}), 400, "BadRequest")
    assert "title" in body["message"]
    assert_graph_error(writer.post(REQUESTS, {"category": "other"}), 400, "BadRequest")
    assert not ServiceRequest.objects.exists()
    sr = open_request(org_a)
    assert_graph_error(writer.post(f"{REQUESTS}/{sr.pk}/messages", {"body": "  "}), 400, "BadRequest")
    assert_graph_error(writer.get(f"{REQUESTS}/abc"), 404, "Request_ResourceNotFound")


def test_another_organizations_request_is_404_and_unchanged(client, org_a, org_b):
    sr = open_request(org_a)
    other = Api(client, token_for(client, org_b.tenant, ["Directory.ReadWrite.All"]))
    assert_graph_error(other.get(f"{REQUESTS}/{sr.pk}"), 404, "Request_ResourceNotFound")
    assert_graph_error(other.post(f"{REQUESTS}/{sr.pk}/messages", {"body": "hi"}), 404, "Request_ResourceNotFound")
    assert_graph_error(other.post(f"{REQUESTS}/{sr.pk}/close"), 404, "Request_ResourceNotFound")
    assert other.get(REQUESTS).json()["value"] == []
    sr.refresh_from_db()
    assert sr.status == "new" and not sr.messages.exists()

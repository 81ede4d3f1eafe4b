"""/v1.0/tenantadmin/delegatedAdministrators (the customer's partners), /v1.0/tenantRelationships/
delegatedAdminCustomers and /v1.0/tenantadmin/partnerInvitations (the partner's side)."""

import pytest
from django.core import mail

from billing.models import DelegatedAdminInvitation, DelegatedAdminRelationship
from tenantadmin.api.app import api as ninja_api
from tenantadmin.models import AuditEvent
from tests.billing.partnerhelpers import enrol, invite, partner_org, relate, token_of
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for, user_token

pytestmark = pytest.mark.django_db

ADMINS = "/v1.0/tenantadmin/delegatedAdministrators"
CUSTOMERS = "/v1.0/tenantRelationships/delegatedAdminCustomers"
INVITATIONS = "/v1.0/tenantadmin/partnerInvitations"


@pytest.fixture
def partner(db):
    return partner_org()


@pytest.fixture
def relationship(org_a, partner):
    return relate(org_a.tenant, partner["tenant"], accepted_by=org_a.global_admin)


def test_the_customer_lists_gets_and_removes_its_delegated_administrators(client, org_a, partner, relationship,
                                                                          django_capture_on_commit_callbacks):
    reader = Api(client, token_for(client, org_a.tenant, ["Directory.Read.All"]))
    body = reader.get(ADMINS).json()
    assert body["@odata.context"].endswith("/v1.0/$metadata#tenantadmin/delegatedAdministrators")
    [item] = body["value"]
    profile = partner["tenant"].partner_profile
    assert item == {"id": str(relationship.pk), "partnerTenantId": str(partner["tenant"].pk),
                    "partnerDisplayName": "Fabrikam Partners", "partnerId": profile.partner_id, "status": "active",
                    "createdDateTime": item["createdDateTime"], "acceptedBy": org_a.global_admin.upn,
                    "removedDateTime": None, "removedBy": None}
    assert reader.get(f"{ADMINS}/{relationship.pk}", {"$select": "partnerDisplayName"}).json()[
        "partnerDisplayName"] == "Fabrikam Partners"
    assert_graph_error(reader.delete(f"{ADMINS}/{relationship.pk}"), 403, "Authorization_RequestDenied")

    writer = Api(client, token_for(client, org_a.tenant, ["Directory.ReadWrite.All"], name="Writer"))
    with django_capture_on_commit_callbacks(execute=True):
        response = writer.delete(f"{ADMINS}/{relationship.pk}")
    assert response.status_code == 204
    assert DelegatedAdminRelationship.objects.get(pk=relationship.pk).status == "removed"
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="partner.relationship_remove")
    assert event.actor_type == "app"
    assert partner["global_admin"].alternate_email in {a for m in mail.outbox for a in m.to}
    assert_graph_error(writer.delete(f"{ADMINS}/{relationship.pk}"), 404, "Request_ResourceNotFound")
    assert reader.get(ADMINS, {"$filter": "status eq 'removed'"}).json()["value"][0]["status"] == "removed"


def test_the_partner_lists_its_customers_graph_style(client, org_a, org_b, partner, relationship):
    api = Api(client, token_for(client, partner["tenant"], ["Directory.Read.All"]))
    body = api.get(CUSTOMERS).json()
    assert body["@odata.context"].endswith("/v1.0/$metadata#tenantRelationships/delegatedAdminCustomers")
    assert [(c["id"], c["tenantId"], c["displayName"]) for c in body["value"]] == [
        (str(org_a.tenant.pk), str(org_a.tenant.pk), "Contoso CONTOSOA")]
    assert api.get(f"{CUSTOMERS}/{org_a.tenant.pk}").json()["displayName"] == "Contoso CONTOSOA"
    assert_graph_error(api.get(f"{CUSTOMERS}/{org_b.tenant.pk}"), 404, "Request_ResourceNotFound")
    filtered = api.get(CUSTOMERS, {"$filter": "startswith(displayName,'Nothing')"}).json()["value"]
    assert filtered == []
    # A customer is no partner: its own list of customers is empty.
    assert Api(client, token_for(client, org_a.tenant, ["Directory.Read.All"])).get(CUSTOMERS).json()["value"] == []


def test_invitations_create_once_with_the_link_then_list_resend_and_revoke(client, partner,
                                                                            django_capture_on_commit_callbacks):
    api = Api(client, token_for(client, partner["tenant"], ["Directory.ReadWrite.All"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(INVITATIONS, {"email": "boss@customer.example", "message": "Hi"})
    assert response.status_code == 201, response.content
    created = response.json()
    link = created["invitationUrl"]
    assert "/partner-invitation/" in link and link in mail.outbox[0].body and created["status"] == "pending"
    listed = api.get(INVITATIONS).json()["value"]
    assert [i["email"] for i in listed] == ["boss@customer.example"] and "invitationUrl" not in listed[0]
    assert "invitationUrl" not in api.get(f"{INVITATIONS}/{created['id']}").json()
    resent = api.post(f"{INVITATIONS}/{created['id']}/resend").json()
    assert resent["invitationUrl"] != link
    revoked = api.post(f"{INVITATIONS}/{created['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert_graph_error(api.post(f"{INVITATIONS}/{created['id']}/revoke"), 400, "BadRequest")
    assert api.get(INVITATIONS, {"$filter": "status eq 'revoked'"}).json()["value"][0]["id"] == created["id"]


def test_invitation_input_and_enrolment_errors_in_graph_shape(client, org_a, partner):
    api = Api(client, token_for(client, partner["tenant"], ["Directory.ReadWrite.All"]))
    error = assert_graph_error(api.post(INVITATIONS, {"message": "no address"}), 400, "BadRequest")
    assert "email" in error["message"]
    assert_graph_error(api.post(INVITATIONS, {"email": "nope"}), 400, "BadRequest")
    assert_graph_error(api.post(INVITATIONS, {"email": "a@b.example", "unknown": 1}), 400, "BadRequest")
    not_partner = Api(client, token_for(client, org_a.tenant, ["Directory.ReadWrite.All"], name="Not a partner"))
    error = assert_graph_error(not_partner.post(INVITATIONS, {"email": "a@b.example"}), 403,
                               "Authorization_RequestDenied")
    assert "enrolled" in error["message"]
    assert not DelegatedAdminInvitation.objects.exists()


@pytest.mark.parametrize("permissions", [["User.Read.All"], ["Organization.ReadWrite.All"], ["Billing.ReadWrite.All"]])
def test_other_permissions_get_403(client, org_a, partner, relationship, permissions):
    invitation, _secret = invite(partner["tenant"])
    customer_side = Api(client, token_for(client, org_a.tenant, permissions))
    assert_graph_error(customer_side.get(ADMINS), 403, "Authorization_RequestDenied")
    assert_graph_error(customer_side.delete(f"{ADMINS}/{relationship.pk}"), 403, "Authorization_RequestDenied")
    partner_side = Api(client, token_for(client, partner["tenant"], permissions, name="Partner app"))
    for response in (partner_side.get(CUSTOMERS), partner_side.get(INVITATIONS),
                     partner_side.post(INVITATIONS, {"email": "x@customer.example"}),
                     partner_side.post(f"{INVITATIONS}/{invitation.pk}/revoke")):
        assert_graph_error(response, 403, "Authorization_RequestDenied")
    assert DelegatedAdminRelationship.objects.get(pk=relationship.pk).status == "active"
    assert DelegatedAdminInvitation.objects.get(pk=invitation.pk).status == "pending"


@pytest.mark.parametrize("role_name, status", [("global_admin", 200), ("user_admin", 403), ("billing_admin", 403),
                                               ("password_admin", 403), ("user", 403)])
def test_a_persons_token_needs_a_global_admin(client, org_a, relationship, role_name, status):
    api = Api(client, user_token(client, org_a.member(role_name)))
    assert api.get(ADMINS).status_code == status


def test_another_organization_gets_404_for_every_object(client, org_a, org_b, partner, relationship):
    enrol(org_b.tenant)
    invitation, _secret = invite(partner["tenant"])
    other = Api(client, token_for(client, org_b.tenant, ["Directory.ReadWrite.All"]))
    for response in (other.get(f"{ADMINS}/{relationship.pk}"), other.delete(f"{ADMINS}/{relationship.pk}"),
                     other.get(f"{CUSTOMERS}/{org_a.tenant.pk}"), other.get(f"{INVITATIONS}/{invitation.pk}"),
                     other.post(f"{INVITATIONS}/{invitation.pk}/revoke"),
                     other.post(f"{INVITATIONS}/{invitation.pk}/resend"), other.get(f"{ADMINS}/not-a-guid")):
        assert_graph_error(response, 404, "Request_ResourceNotFound")
    assert other.get(ADMINS).json()["value"] == [] and other.get(INVITATIONS).json()["value"] == []
    assert DelegatedAdminRelationship.objects.get(pk=relationship.pk).status == "active"


def test_an_invitation_sent_through_the_api_is_accepted_on_the_page(client, org_a, partner, client_for):
    api = Api(client, token_for(client, partner["tenant"], ["Directory.ReadWrite.All"]))
    link = api.post(INVITATIONS, {"email": "boss@customer.example"}).json()["invitationUrl"]
    browser = client_for(org_a.global_admin)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert browser.post("/" + path, {"answer": "accept"}).status_code == 302
    assert token_of(link) and DelegatedAdminRelationship.objects.filter(tenant=org_a.tenant, status="active").exists()


def test_the_routes_are_in_the_openapi_document():
    paths = ninja_api.get_openapi_schema()["paths"]
    for path in (ADMINS, f"{ADMINS}/{{relationship_id}}", CUSTOMERS, f"{CUSTOMERS}/{{customer_id}}", INVITATIONS,
                 f"{INVITATIONS}/{{invitation_id}}", f"{INVITATIONS}/{{invitation_id}}/resend",
                 f"{INVITATIONS}/{{invitation_id}}/revoke"):
        assert path in paths, path
    assert "delete" in paths[f"{ADMINS}/{{relationship_id}}"]
    assert paths[INVITATIONS]["post"]["tags"] == ["Partners and delegated administrators"]


def test_a_partners_change_names_the_person_in_the_customers_directory_audits(client, org_a, partner, relationship,
                                                                               client_for):
    from django.urls import reverse

    client_for(partner["global_admin"]).post(reverse("partners:manage"), {"customer": str(org_a.tenant.pk)})
    client.logout()
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="partner.access_start")
    api = Api(client, token_for(client, org_a.tenant, ["AuditLog.Read.All"]))
    item = api.get(f"/v1.0/auditLogs/directoryAudits/{event.pk}").json()
    assert item["initiatedBy"]["user"]["userPrincipalName"] == (
        f"{partner['global_admin'].upn} (partner Fabrikam Partners on behalf of Contoso CONTOSOA)")

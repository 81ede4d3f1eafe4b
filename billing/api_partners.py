"""Delegated administrators in the API (SPEC billing/ "Partners"). billing.api mounts this router.

Customer side (Graph has no such resource: our extension under /v1.0/tenantadmin): the partners acting as
administrators of the organization, `/v1.0/tenantadmin/delegatedAdministrators` (list, get, DELETE removes the
partner at once). Partner side: Graph's `/v1.0/tenantRelationships/delegatedAdminCustomers` (the partner's
customers: id and tenantId are the customer's organization id) and our `/v1.0/tenantadmin/partnerInvitations`
(list, create, get, resend, revoke; the invitation link is in the answer of create and resend only).

Reads need Directory.Read.All, writes Directory.ReadWrite.All (for a person's token: a global administrator).
"""

import uuid

from django.http import HttpResponse
from ninja import Router
from pydantic import Field

from billing.models import DelegatedAdminInvitation, DelegatedAdminRelationship
from billing.partner_selectors import delegated_admins, partner_customer, partner_customers, partner_invitations
from billing.partner_services import (
    NotAPartner, invitation_resend, invitation_revoke, invitation_send, relationship_remove,
)
from tenantadmin.access import tenant_object_or_404
from tenantadmin.api.auth import require_any
from tenantadmin.api.errors import GraphError, not_found
from tenantadmin.api.odata import Field as ODataField
from tenantadmin.api.odata import parse_query
from tenantadmin.api.shapes import (
    COLLECTION_OPTIONS, SELECT_ONLY, GraphInput, GraphSchema, collection_of, graph_openapi, iso, odata_collection,
    odata_entity,
)

TAGS = ["Partners and delegated administrators"]
# billing.api takes this router's operations into its own (see there), so each names its tag itself.
router = Router(tags=TAGS, by_alias=True)

READ = ("Directory.Read.All", "Directory.ReadWrite.All")
WRITE = ("Directory.ReadWrite.All",)
DELEGATED_ADMINS = "tenantadmin/delegatedAdministrators"
CUSTOMERS = "tenantRelationships/delegatedAdminCustomers"
INVITATIONS = "tenantadmin/partnerInvitations"

DELEGATED_ADMIN_FIELDS = {
    "id": ODataField("pk", kind="guid", sortable=False),
    "partnerTenantId": ODataField("partner_id", kind="guid", sortable=False),
    "partnerDisplayName": ODataField("partner__name", sortable=False),
    "partnerId": ODataField("partner__partner_profile__partner_id", sortable=False),
    "status": ODataField("status", sortable=False),
    "createdDateTime": ODataField("created_at", kind="datetime"),
    "acceptedBy": ODataField("accepted_by_label", sortable=False),
    "removedDateTime": SELECT_ONLY,
    "removedBy": SELECT_ONLY,
}
CUSTOMER_FIELDS = {
    "id": ODataField("tenant_id", kind="guid", sortable=False),
    "tenantId": ODataField("tenant_id", kind="guid", sortable=False),
    "displayName": ODataField("tenant__name", sortable=False),
    # Not in Graph's delegatedAdminCustomer: when the customer accepted (the default order, newest first).
    "createdDateTime": ODataField("created_at", kind="datetime"),
}
INVITATION_FIELDS = {
    "id": ODataField("pk", kind="guid", sortable=False),
    "email": ODataField("email", sortable=False),
    "message": SELECT_ONLY,
    "status": ODataField("status", sortable=False),
    "createdDateTime": ODataField("created_at", kind="datetime"),
    "expirationDateTime": ODataField("expires_at", kind="datetime"),
    "createdBy": SELECT_ONLY,
    "customerTenantId": ODataField("customer_id", kind="guid", sortable=False),
    "customerDisplayName": SELECT_ONLY,
    "respondedDateTime": SELECT_ONLY,
}


class DelegatedAdministrator(GraphSchema):
    id: str
    partner_tenant_id: str
    partner_display_name: str
    partner_id: str | None
    status: str
    created_date_time: str
    accepted_by: str
    removed_date_time: str | None
    removed_by: str | None


class DelegatedAdminCustomer(GraphSchema):
    id: str
    tenant_id: str
    display_name: str
    created_date_time: str


class PartnerInvitation(GraphSchema):
    id: str
    email: str
    message: str
    status: str
    created_date_time: str
    expiration_date_time: str
    created_by: str
    customer_tenant_id: str | None
    customer_display_name: str | None
    responded_date_time: str | None
    invitation_url: str | None = Field(None, description="Only in the answer of create and resend: the link, once.")


class InvitationCreate(GraphInput):
    email: str
    message: str = ""


def _pk(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise not_found() from None


def _not_a_partner(error: NotAPartner) -> GraphError:
    return GraphError(403, "Authorization_RequestDenied", str(error))


def delegated_admin_shape(relationship: DelegatedAdminRelationship) -> dict:
    partner = relationship.partner
    profile = getattr(partner, "partner_profile", None)
    return {
        "id": str(relationship.pk), "partnerTenantId": str(partner.pk), "partnerDisplayName": partner.name,
        "partnerId": profile.partner_id if profile is not None else None, "status": relationship.status,
        "createdDateTime": iso(relationship.created_at), "acceptedBy": relationship.accepted_by_label,
        "removedDateTime": iso(relationship.removed_at), "removedBy": relationship.removed_by_label or None,
    }


def customer_shape(relationship: DelegatedAdminRelationship) -> dict:
    return {"id": str(relationship.tenant_id), "tenantId": str(relationship.tenant_id),
            "displayName": relationship.tenant.name, "createdDateTime": iso(relationship.created_at)}


def invitation_shape(invitation: DelegatedAdminInvitation, link: str | None = None) -> dict:
    shape = {
        "id": str(invitation.pk), "email": invitation.email, "message": invitation.message,
        "status": invitation.status, "createdDateTime": iso(invitation.created_at),
        "expirationDateTime": iso(invitation.expires_at), "createdBy": invitation.created_by_label,
        "customerTenantId": str(invitation.customer_id) if invitation.customer_id else None,
        "customerDisplayName": invitation.customer.name if invitation.customer_id else None,
        "respondedDateTime": iso(invitation.responded_at),
    }
    if link is not None:
        shape["invitationUrl"] = link
    return shape


# --- The customer's delegated administrators ----------------------------------------------------------------

@router.get(f"/{DELEGATED_ADMINS}", response=collection_of(DelegatedAdministrator, "DelegatedAdministratorCollection"),
            summary="List the partners that are delegated administrators of the organization",
            tags=TAGS, openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def delegated_admin_list(request):
    """Newest first; removed partners stay listed with `status` "removed". Permission: Directory.Read.All (or
    Directory.ReadWrite.All), or a global administrator's token."""
    require_any(request, *READ)
    query = parse_query(request.GET, DELEGATED_ADMIN_FIELDS, default_order=[("createdDateTime", True)],
                        type_name="tenantadmin.delegatedAdministrator")
    return odata_collection(request, delegated_admins(tenant=request.tenant, include_removed=True), query,
                            fields=DELEGATED_ADMIN_FIELDS, name=DELEGATED_ADMINS, salt="api.partners.admins",
                            serialize=delegated_admin_shape)


def _relationship(request, relationship_id: str, **lookup) -> DelegatedAdminRelationship:
    rows = DelegatedAdminRelationship.objects.select_related("partner", "partner__partner_profile")
    return tenant_object_or_404(rows, request.tenant, pk=_pk(relationship_id), **lookup)


@router.get(f"/{DELEGATED_ADMINS}/{{relationship_id}}", response=DelegatedAdministrator,
            summary="Get one delegated administrator", tags=TAGS, openapi_extra=graph_openapi("select"))
def delegated_admin_get(request, relationship_id: str):
    require_any(request, *READ)
    query = parse_query(request.GET, DELEGATED_ADMIN_FIELDS, type_name="tenantadmin.delegatedAdministrator")
    return odata_entity(DELEGATED_ADMINS, delegated_admin_shape(_relationship(request, relationship_id)), query.select)


@router.delete(f"/{DELEGATED_ADMINS}/{{relationship_id}}", response={204: None},
               summary="Remove a delegated administrator (its people lose access at once)",
               tags=TAGS, openapi_extra=graph_openapi())
def delegated_admin_delete(request, relationship_id: str):
    """204 No Content. A partner already removed is a 404. Permission: Directory.ReadWrite.All, or a global
    administrator's token."""
    item = _relationship(request, relationship_id, status=DelegatedAdminRelationship.Status.ACTIVE)
    require_any(request, *WRITE)
    relationship_remove(tenant=request.tenant, actor=request.actor, relationship_id=item.pk)
    return HttpResponse(status=204)


# --- The partner's customers -----------------------------------------------------------------------------------

@router.get(f"/{CUSTOMERS}", response=collection_of(DelegatedAdminCustomer, "DelegatedAdminCustomerCollection"),
            summary="List the partner's customers", tags=TAGS, openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def customer_list(request):
    """Graph's delegatedAdminCustomer: the organizations that made the caller's organization their delegated
    administrator (none for an organization that is not a partner). Permission: Directory.Read.All."""
    require_any(request, *READ)
    query = parse_query(request.GET, CUSTOMER_FIELDS, default_order=[("createdDateTime", True)],
                        type_name="microsoft.graph.delegatedAdminCustomer")
    return odata_collection(request, partner_customers(tenant=request.tenant), query, fields=CUSTOMER_FIELDS,
                            name=CUSTOMERS, salt="api.partners.customers", serialize=customer_shape)


@router.get(f"/{CUSTOMERS}/{{customer_id}}", response=DelegatedAdminCustomer, summary="Get one customer",
            tags=TAGS, openapi_extra=graph_openapi("select"))
def customer_get(request, customer_id: str):
    require_any(request, *READ)
    query = parse_query(request.GET, CUSTOMER_FIELDS, type_name="microsoft.graph.delegatedAdminCustomer")
    relationship = partner_customer(tenant=request.tenant, customer_id=_pk(customer_id))
    if relationship is None:
        raise not_found()
    return odata_entity(CUSTOMERS, customer_shape(relationship), query.select)


# --- The partner's invitations --------------------------------------------------------------------------------

@router.get(f"/{INVITATIONS}", response=collection_of(PartnerInvitation, "PartnerInvitationCollection"),
            summary="List the partner's invitations", tags=TAGS, openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def invitation_list(request):
    """Newest first. `status`: pending, accepted, declined or revoked (a pending one past `expirationDateTime`
    can no longer be accepted; resend it). Permission: Directory.Read.All."""
    require_any(request, *READ)
    query = parse_query(request.GET, INVITATION_FIELDS, default_order=[("createdDateTime", True)],
                        type_name="tenantadmin.partnerInvitation")
    return odata_collection(request, partner_invitations(tenant=request.tenant), query, fields=INVITATION_FIELDS,
                            name=INVITATIONS, salt="api.partners.invitations", serialize=invitation_shape)


@router.post(f"/{INVITATIONS}", response={201: PartnerInvitation},
             summary="Invite a customer to make the organization its delegated administrator",
             tags=TAGS, openapi_extra=graph_openapi())
def invitation_create(request, body: InvitationCreate):
    """Mails the link to `email`; the answer carries it once as `invitationUrl`. Only for organizations the
    operator enrolled as partners (else 403). Permission: Directory.ReadWrite.All."""
    require_any(request, *WRITE)
    try:
        invitation, link = invitation_send(tenant=request.tenant, actor=request.actor, email=body.email,
                                           message=body.message)
    except NotAPartner as error:
        raise _not_a_partner(error) from None
    return odata_entity(INVITATIONS, invitation_shape(invitation, link), None, status=201)


def _invitation(request, invitation_id: str) -> DelegatedAdminInvitation:
    return tenant_object_or_404(DelegatedAdminInvitation.objects.select_related("customer"), request.tenant,
                                pk=_pk(invitation_id))


@router.get(f"/{INVITATIONS}/{{invitation_id}}", response=PartnerInvitation, summary="Get one invitation",
            tags=TAGS, openapi_extra=graph_openapi("select"))
def invitation_get(request, invitation_id: str):
    require_any(request, *READ)
    query = parse_query(request.GET, INVITATION_FIELDS, type_name="tenantadmin.partnerInvitation")
    return odata_entity(INVITATIONS, invitation_shape(_invitation(request, invitation_id)), query.select)


@router.post(f"/{INVITATIONS}/{{invitation_id}}/resend", response=PartnerInvitation,
             summary="Send a pending invitation again with a new link and expiry", tags=TAGS,
             openapi_extra=graph_openapi())
def invitation_resend_route(request, invitation_id: str):
    """The earlier link stops working; the answer carries the new one as `invitationUrl`. Permission:
    Directory.ReadWrite.All."""
    item = _invitation(request, invitation_id)
    require_any(request, *WRITE)
    try:
        invitation, link = invitation_resend(tenant=request.tenant, actor=request.actor, invitation_id=item.pk)
    except NotAPartner as error:
        raise _not_a_partner(error) from None
    return odata_entity(INVITATIONS, invitation_shape(invitation, link), None)


@router.post(f"/{INVITATIONS}/{{invitation_id}}/revoke", response=PartnerInvitation,
             summary="Withdraw a pending invitation (its link stops working)", tags=TAGS, openapi_extra=graph_openapi())
def invitation_revoke_route(request, invitation_id: str):
    """Permission: Directory.ReadWrite.All."""
    item = _invitation(request, invitation_id)
    require_any(request, *WRITE)
    invitation = invitation_revoke(tenant=request.tenant, actor=request.actor, invitation_id=item.pk)
    return odata_entity(INVITATIONS, invitation_shape(invitation), None)

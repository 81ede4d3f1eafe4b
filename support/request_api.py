"""Service requests in the API (SPEC support/ "Service requests"). Graph has no such resource: our extension
under /v1.0/tenantadmin/serviceRequests (list, create, get, the conversation, add a message, close). support.api
mounts this router. Attachments are uploaded and downloaded in the admin center only.

Reads need Directory.Read.All, writes Directory.ReadWrite.All (for a person's token: a global administrator).
"""

from django.http import JsonResponse
from ninja import Router

from support.models_requests import RequestMessage, ServiceRequest
from support.request_forms import ServiceRequestForm
from support.request_services import add_customer_message, close_request, create_request
from tenantadmin.access import tenant_object_or_404
from tenantadmin.api.auth import require_any
from tenantadmin.api.errors import GraphError, not_found
from tenantadmin.api.odata import Field as ODataField
from tenantadmin.api.odata import parse_query
from tenantadmin.api.shapes import (
    COLLECTION_OPTIONS, SELECT_ONLY, GraphInput, GraphSchema, collection_of, graph_openapi, iso, odata_collection,
    odata_context, odata_entity,
)

TAGS = ["Service requests"]
router = Router(tags=TAGS, by_alias=True)

READ = ("Directory.Read.All", "Directory.ReadWrite.All")
WRITE = ("Directory.ReadWrite.All",)
REQUESTS = "tenantadmin/serviceRequests"

FIELDS = {
    "id": ODataField("pk", kind="int", sortable=False),
    "number": ODataField("number", kind="int"),
    "reference": SELECT_ONLY,
    "category": ODataField("category", sortable=False),
    "title": ODataField("title"),
    "description": SELECT_ONLY,
    "contactEmail": ODataField("contact_email", sortable=False),
    "contactPhone": SELECT_ONLY,
    "status": ODataField("status", sortable=False),
    "createdBy": SELECT_ONLY,
    "createdDateTime": ODataField("created_at", kind="datetime"),
    "lastModifiedDateTime": ODataField("updated_at", kind="datetime"),
    "closedDateTime": SELECT_ONLY,
}


class ServiceRequestShape(GraphSchema):
    id: str
    number: int
    reference: str
    category: str
    title: str
    description: str
    contact_email: str
    contact_phone: str
    status: str
    created_by: str
    created_date_time: str
    last_modified_date_time: str
    closed_date_time: str | None


class Attachment(GraphSchema):
    id: str
    name: str
    content_type: str
    size: int


class RequestMessageShape(GraphSchema):
    id: str
    author_kind: str
    author: str
    body: str
    created_date_time: str
    attachments: list[Attachment]


class ServiceRequestCreate(GraphInput):
    category: str
    title: str
    description: str
    contact_email: str
    contact_phone: str = ""


class MessageCreate(GraphInput):
    body: str


def request_shape(sr: ServiceRequest) -> dict:
    return {"id": str(sr.pk), "number": sr.number, "reference": sr.reference, "category": sr.category,
            "title": sr.title, "description": sr.description, "contactEmail": sr.contact_email,
            "contactPhone": sr.contact_phone, "status": sr.status, "createdBy": sr.created_by_label,
            "createdDateTime": iso(sr.created_at), "lastModifiedDateTime": iso(sr.updated_at),
            "closedDateTime": iso(sr.closed_at)}


def message_shape(message: RequestMessage) -> dict:
    return {"id": str(message.pk), "authorKind": message.author_kind,
            "author": "Support" if message.author_kind == RequestMessage.AuthorKind.STAFF else message.author_label,
            "body": message.body, "createdDateTime": iso(message.created_at),
            "attachments": [{"id": str(a.pk), "name": a.file_name, "contentType": a.content_type, "size": a.size}
                            for a in message.attachments.all()]}


def _request(request, request_id: str) -> ServiceRequest:
    if not request_id.isdigit():
        raise not_found()
    return tenant_object_or_404(ServiceRequest.objects.all(), request.tenant, pk=int(request_id))


@router.get(f"/{REQUESTS}", response=collection_of(ServiceRequestShape, "ServiceRequestCollection"),
            summary="List the organization's service requests", tags=TAGS,
            openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def service_request_list(request):
    """Newest first. `status`: new, waiting, in_progress, solved or closed. Permission: Directory.Read.All."""
    require_any(request, *READ)
    query = parse_query(request.GET, FIELDS, default_order=[("number", True)],
                        type_name="tenantadmin.serviceRequest")
    return odata_collection(request, ServiceRequest.objects.filter(tenant=request.tenant), query, fields=FIELDS,
                            name=REQUESTS, salt="api.support.requests", serialize=request_shape)


@router.post(f"/{REQUESTS}", response={201: ServiceRequestShape}, summary="Open a service request", tags=TAGS,
             openapi_extra=graph_openapi())
def service_request_create(request, body: ServiceRequestCreate):
    """`category`: billing, enable_pop, transfer_ownership or other; `title` at most 120 characters. Support
    staff are notified. Permission: Directory.ReadWrite.All."""
    require_any(request, *WRITE)
    form = ServiceRequestForm({"category": body.category, "title": body.title, "description": body.description,
                               "contact_email": body.contact_email, "contact_phone": body.contact_phone})
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        name = {"contact_email": "contactEmail", "contact_phone": "contactPhone"}.get(field, field)
        raise GraphError(400, "BadRequest", f"{name}: {errors[0]}")
    data = form.cleaned_data
    sr = create_request(tenant=request.tenant, actor=request.actor, category=data["category"], title=data["title"],
                        description=data["description"], contact_email=data["contact_email"],
                        contact_phone=data["contact_phone"])
    return odata_entity(REQUESTS, request_shape(sr), None, status=201)


@router.get(f"/{REQUESTS}/{{service_request_id}}", response=ServiceRequestShape, summary="Get one service request",
            tags=TAGS, openapi_extra=graph_openapi("select"))
def service_request_get(request, service_request_id: str):
    require_any(request, *READ)
    query = parse_query(request.GET, FIELDS, type_name="tenantadmin.serviceRequest")
    return odata_entity(REQUESTS, request_shape(_request(request, service_request_id)), query.select)


@router.get(f"/{REQUESTS}/{{service_request_id}}/messages",
            response=collection_of(RequestMessageShape, "RequestMessageCollection"),
            summary="The conversation of a service request (oldest first)", tags=TAGS, openapi_extra=graph_openapi())
def service_request_messages(request, service_request_id: str):
    """Permission: Directory.Read.All."""
    require_any(request, *READ)
    sr = _request(request, service_request_id)
    return JsonResponse({"@odata.context": odata_context(f"{REQUESTS}/messages", None),
                         "value": [message_shape(m) for m in sr.messages.prefetch_related("attachments")]})


@router.post(f"/{REQUESTS}/{{service_request_id}}/messages", response={201: RequestMessageShape},
             summary="Reply or add a note to a service request", tags=TAGS, openapi_extra=graph_openapi())
def service_request_message_add(request, service_request_id: str, body: MessageCreate):
    """A request waiting for the customer or solved goes back to support. A closed request is a 400.
    Permission: Directory.ReadWrite.All."""
    sr = _request(request, service_request_id)
    require_any(request, *WRITE)
    if len(body.body) > 20000:
        raise GraphError(400, "BadRequest", "body: at most 20000 characters.")
    message = add_customer_message(sr=sr, actor=request.actor, body=body.body)
    return odata_entity(f"{REQUESTS}/messages", message_shape(message), None, status=201)


@router.post(f"/{REQUESTS}/{{service_request_id}}/close", response=ServiceRequestShape,
             summary="Close a service request (it cannot be reopened)", tags=TAGS, openapi_extra=graph_openapi())
def service_request_close(request, service_request_id: str):
    """Closing a closed request changes nothing. Permission: Directory.ReadWrite.All."""
    sr = _request(request, service_request_id)
    require_any(request, *WRITE)
    return odata_entity(REQUESTS, request_shape(close_request(sr=sr, actor=request.actor)), None)

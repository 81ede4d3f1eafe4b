"""Graph's service communications: /v1.0/admin/serviceAnnouncement/healthOverviews (serviceHealth per service)
and /v1.0/admin/serviceAnnouncement/issues (serviceHealthIssue with its posts), limited to the services the
organization subscribes to (the same selectors as the Service health page)."""

from django.db.models import Prefetch
from django.http import JsonResponse
from django.utils import timezone
from ninja import Router

from support.health_catalog import SERVICES
from support.health_selectors import subscribed_services
from support.models_health import Incident, IncidentUpdate
from tenantadmin.api.auth import require_any
from tenantadmin.api.odata import Field as ODataField
from tenantadmin.api.odata import apply_select, parse_query
from tenantadmin.api.shapes import (
    COLLECTION_OPTIONS, SELECT_ONLY, GraphSchema, collection_of, graph_openapi, iso, odata_collection, odata_context,
)

router = Router(tags=["Service health"], by_alias=True)

READ = ("ServiceHealth.Read.All",)
OVERVIEWS = "admin/serviceAnnouncement/healthOverviews"
ISSUES = "admin/serviceAnnouncement/issues"
ISSUE_TYPE = "microsoft.graph.serviceHealthIssue"
OVERVIEW_TYPE = "microsoft.graph.serviceHealth"

# Graph's issue ids start with a service prefix (EX1234 for Exchange Online).
_ID_PREFIX = {"exchange": "EX", "sharepoint": "SP", "lync": "LY", "office_web": "OW", "office_apps": "OP",
              "portal": "PO"}
_STATUS = {Incident.Status.INVESTIGATING: "investigating", Incident.Status.RESTORING: "restoringService",
           Incident.Status.RESTORED: "serviceRestored"}
# An interruption (not working) is an incident in Graph's words; a degradation (slow or intermittent) an advisory.
_CLASSIFICATION = {Incident.Classification.INTERRUPTION: "incident", Incident.Classification.DEGRADATION: "advisory"}

ISSUE_FIELDS = {
    "id": SELECT_ONLY,
    "title": ODataField("title"),
    "service": SELECT_ONLY,
    "feature": SELECT_ONLY,
    "featureGroup": SELECT_ONLY,
    "classification": SELECT_ONLY,
    "status": SELECT_ONLY,
    "startDateTime": ODataField("started_at", kind="datetime"),
    "endDateTime": ODataField("ended_at", kind="datetime", sortable=False),
    "lastModifiedDateTime": ODataField("updated_at", kind="datetime"),
    "isResolved": SELECT_ONLY,
    "impactDescription": SELECT_ONLY,
    "posts": SELECT_ONLY,
}
OVERVIEW_FIELDS = {"id": SELECT_ONLY, "service": SELECT_ONLY, "status": SELECT_ONLY}


def graph_service_name(key: str) -> str:
    """Graph names a service as the catalog's service plan does (Exchange Online); the Portal has no plan."""
    label, plans, _components = SERVICES[key]
    return plans[0] if plans else str(label)


class Post(GraphSchema):
    created_date_time: str
    post_type: str
    description: dict


class ServiceHealthIssue(GraphSchema):
    id: str
    title: str
    service: str
    feature: str
    feature_group: str
    classification: str
    status: str
    start_date_time: str
    end_date_time: str | None
    last_modified_date_time: str
    is_resolved: bool
    impact_description: str
    posts: list[Post]


class ServiceHealth(GraphSchema):
    id: str
    service: str
    status: str


def serialize_issue(incident: Incident) -> dict:
    return {
        "id": f"{_ID_PREFIX.get(incident.service, 'TA')}{incident.pk}",
        "title": incident.title,
        "service": graph_service_name(incident.service),
        "feature": incident.component_label,
        "featureGroup": incident.service_label,
        "classification": _CLASSIFICATION[incident.classification],
        "status": _STATUS[incident.status],
        "startDateTime": iso(incident.started_at),
        "endDateTime": iso(incident.ended_at),
        "lastModifiedDateTime": iso(incident.updated_at),
        "isResolved": incident.ended_at is not None,
        "impactDescription": incident.get_classification_display(),
        "posts": [{"createdDateTime": iso(update.posted_at), "postType": "regular",
                   "description": {"contentType": "text", "content": update.message}}
                  for update in incident.updates.all()],
    }


def _overview_status(incidents, today_start) -> str:
    active = [i for i in incidents if i.ended_at is None]
    if any(i.classification == Incident.Classification.INTERRUPTION for i in active):
        return "serviceInterruption"
    if active:
        return "serviceDegradation"
    if any(i.ended_at >= today_start for i in incidents):
        return "serviceRestored"
    return "serviceOperational"


@router.get(f"/{OVERVIEWS}", response=collection_of(ServiceHealth, "ServiceHealthCollection"),
            summary="List healthOverviews", openapi_extra=graph_openapi("select"))
def health_overviews(request):
    """Permissions: ServiceHealth.Read.All. One entry per subscribed service: serviceOperational,
    serviceDegradation, serviceInterruption, or serviceRestored (an incident ended today, UTC). Supports $select."""
    require_any(request, *READ)
    select = parse_query(request.GET, OVERVIEW_FIELDS, type_name=OVERVIEW_TYPE).select
    services = subscribed_services(tenant=request.tenant)
    today_start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    recent = list(Incident.objects.filter(service__in=services).exclude(ended_at__lt=today_start))
    value = []
    for key in services:
        name = graph_service_name(key)
        item = {"id": name, "service": name,
                "status": _overview_status([i for i in recent if i.service == key], today_start)}
        value.append(apply_select(item, select))
    return JsonResponse({"@odata.context": odata_context(OVERVIEWS, select), "value": value})


@router.get(f"/{ISSUES}", response=collection_of(ServiceHealthIssue, "ServiceHealthIssueCollection"),
            summary="List issues", openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def issue_list(request):
    """Permissions: ServiceHealth.Read.All. Issues of the subscribed services, newest first; `$filter` on title,
    startDateTime, endDateTime and lastModifiedDateTime; `$top` up to 999; follow `@odata.nextLink`."""
    require_any(request, *READ)
    query = parse_query(request.GET, ISSUE_FIELDS, default_order=[("startDateTime", True)], type_name=ISSUE_TYPE)
    queryset = (Incident.objects.filter(service__in=subscribed_services(tenant=request.tenant))
                .prefetch_related(Prefetch("updates", queryset=IncidentUpdate.objects.order_by("posted_at", "pk"))))
    return odata_collection(request, queryset, query, fields=ISSUE_FIELDS, name=ISSUES,
                            salt="support.api.serviceHealthIssues", serialize=serialize_issue)

"""/v1.0/auditLogs/directoryAudits: the organization's audit log in Graph's directoryAudit shape."""

import json
import re

from ninja import Router

from tenantadmin.access import tenant_object_or_404
from tenantadmin.api.auth import require_any
from tenantadmin.api.errors import not_found
from tenantadmin.api.odata import Field as ODataField
from tenantadmin.api.odata import parse_query
from tenantadmin.api.shapes import (
    COLLECTION_OPTIONS,
    SELECT_ONLY,
    GraphSchema,
    collection_of,
    graph_openapi,
    iso,
    odata_collection,
    odata_entity,
)
from tenantadmin.models import AuditEvent

router = Router(tags=["Audit logs"], by_alias=True)

READ = "AuditLog.Read.All"
NAME = "auditLogs/directoryAudits"
TYPE_NAME = "microsoft.graph.directoryAudit"

# Only real columns can be filtered or sorted; the derived properties can only be selected.
FIELDS = {
    "id": SELECT_ONLY,
    "activityDateTime": ODataField("occurred_at", kind="datetime"),
    "activityDisplayName": ODataField("action", sortable=False),
    "category": SELECT_ONLY,
    "operationType": SELECT_ONLY,
    "result": SELECT_ONLY,
    "resultReason": SELECT_ONLY,
    "loggedByService": SELECT_ONLY,
    "correlationId": SELECT_ONLY,
    "initiatedBy": SELECT_ONLY,
    "targetResources": SELECT_ONLY,
    "additionalDetails": SELECT_ONLY,
}

_CATEGORIES = {
    "user": "UserManagement",
    "role": "UserManagement",
    "group": "GroupManagement",
    "organization": "DirectoryManagement",
    "service_settings": "DirectoryManagement",
    "domain": "DirectoryManagement",
    "app_registration": "ApplicationManagement",
    "app_secret": "ApplicationManagement",
}
_OPERATION_TYPES = {"create": "Add", "update": "Update", "delete": "Delete", "revoke": "Delete", "assign": "Assign"}
# Actor.for_app writes "<name> (app <client id>)"; the event keeps no app id column of its own.
_APP_LABEL = re.compile(r"^(?P<name>.*) \(app (?P<app_id>[0-9a-fA-F-]{36})\)$")


class ModifiedProperty(GraphSchema):
    display_name: str
    old_value: str
    new_value: str


class TargetResource(GraphSchema):
    id: str | None
    display_name: str
    type: str
    modified_properties: list[ModifiedProperty]


class DirectoryAudit(GraphSchema):
    id: str
    activity_date_time: str
    activity_display_name: str
    category: str
    operation_type: str
    result: str
    result_reason: str
    logged_by_service: str
    correlation_id: str | None
    initiated_by: dict
    target_resources: list[TargetResource]
    additional_details: list


def _json_value(value) -> str:
    # Graph writes old and new values as JSON arrays inside a string: "[\"Contoso\"]".
    if value is None:
        return "[]"
    return json.dumps(value if isinstance(value, list) else [value], ensure_ascii=False)


def _initiated_by(event: AuditEvent) -> dict:
    if event.actor_type == AuditEvent.ActorType.APP:
        match = _APP_LABEL.match(event.actor_label)
        return {"user": None, "app": {
            "appId": match["app_id"] if match else None,
            "displayName": match["name"] if match else event.actor_label,
            "servicePrincipalId": None,
            "servicePrincipalName": None,
        }}
    # A partner's person acting as delegated administrator is a person too; the label names the partner.
    if event.actor_type in (AuditEvent.ActorType.USER, AuditEvent.ActorType.STAFF, AuditEvent.ActorType.PARTNER):
        return {"user": {
            "id": str(event.actor_id) if event.actor_id else None,
            "displayName": None,
            "userPrincipalName": event.actor_label,
            "ipAddress": event.ip_address or "",
        }, "app": None}
    return {"user": None, "app": None}


def _target_resources(event: AuditEvent) -> list[dict]:
    if not (event.target_type or event.target_id):
        return []
    return [{
        "id": event.target_id or None,
        "displayName": event.target_label,
        "type": event.target_type,
        "modifiedProperties": [
            {"displayName": field, "oldValue": _json_value(before), "newValue": _json_value(after)}
            for field, before, after in event.change_pairs
        ],
    }]


def serialize(event: AuditEvent) -> dict:
    prefix, _, verb = event.action.rpartition(".")
    return {
        "id": str(event.pk),
        "activityDateTime": iso(event.occurred_at),
        "activityDisplayName": event.action,
        "category": _CATEGORIES.get(prefix.split(".")[0], "Core"),
        "operationType": _OPERATION_TYPES.get(verb, "Other"),
        "result": "success",
        "resultReason": "",
        "loggedByService": "Core Directory",
        "correlationId": None,
        "initiatedBy": _initiated_by(event),
        "targetResources": _target_resources(event),
        "additionalDetails": [],
    }


@router.get("/auditLogs/directoryAudits", response=collection_of(DirectoryAudit, "DirectoryAuditCollection"),
            summary="List directory audits", openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def directory_audit_list(request):
    """Permissions: AuditLog.Read.All. Newest first by default; `$filter` on activityDateTime (ge, le, gt, lt)
    and activityDisplayName; `$orderby=activityDateTime asc|desc`; `$top` up to 999; follow `@odata.nextLink`."""
    require_any(request, READ)
    query = parse_query(request.GET, FIELDS, default_order=[("activityDateTime", True)], type_name=TYPE_NAME)
    return odata_collection(
        request, AuditEvent.objects.filter(tenant=request.tenant), query, fields=FIELDS, name=NAME,
        salt="tenantadmin.api.directoryAudits", serialize=serialize,
    )


@router.get("/auditLogs/directoryAudits/{audit_id}", response=DirectoryAudit, summary="Get a directory audit",
            openapi_extra=graph_openapi("select"))
def directory_audit_get(request, audit_id: str):
    """Permissions: AuditLog.Read.All. Supports $select."""
    require_any(request, READ)
    select = parse_query(request.GET, FIELDS, type_name=TYPE_NAME).select
    # ASCII and short so int() cannot fail and the value fits the bigint column.
    if not (audit_id.isascii() and audit_id.isdigit() and len(audit_id) <= 18):
        raise not_found()
    event = tenant_object_or_404(AuditEvent.objects.all(), request.tenant, pk=int(audit_id))
    return odata_entity(NAME, serialize(event), select)

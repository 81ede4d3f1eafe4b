"""/v1.0/applications: app registrations and their client secrets (Graph's application resource).

Permissions are given the Graph way, as `requiredResourceAccess` entries of type "Role" naming
Graph's app-role ids, so registration scripts written for Graph work unchanged.
"""

import math
import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Router
from pydantic import StrictBool, model_validator

from tenantadmin.access import tenant_object_or_404
from tenantadmin.api.auth import require_any
from tenantadmin.api.errors import GraphError, not_found
from tenantadmin.api.odata import Field as ODataField
from tenantadmin.api.odata import parse_query
from tenantadmin.api.permissions import GRAPH_RESOURCE_APP_ID, PERMISSION_BY_ID, PERMISSION_IDS
from tenantadmin.api.shapes import (
    COLLECTION_OPTIONS,
    SELECT_ONLY,
    GraphInput,
    GraphSchema,
    collection_of,
    graph_openapi,
    iso,
    odata_collection,
    odata_context,
    odata_entity,
)
from tenantadmin.models import AppRegistration, AppSecret
from tenantadmin.services.app_registrations import (
    app_registration_create,
    app_registration_delete,
    app_registration_update,
    app_secret_create,
    app_secret_revoke,
)

router = Router(tags=["Applications"], by_alias=True)

MANAGE = "Application.ReadWrite.All"
NAME = "applications"
TYPE_NAME = "microsoft.graph.application"
DAYS_PER_MONTH = 30  # app_secret_create counts a month as 30 days

FIELDS = {
    "id": ODataField("id", kind="guid"),
    "appId": ODataField("client_id", kind="guid"),
    "displayName": ODataField("display_name"),
    "createdDateTime": ODataField("created_at", kind="datetime"),
    "isFallbackPublicClient": ODataField("public_client_enabled", kind="bool"),
    "passwordCredentials": SELECT_ONLY,
    "requiredResourceAccess": SELECT_ONLY,
}


class ResourceAccess(GraphSchema):
    id: str
    type: str


class RequiredResourceAccess(GraphSchema):
    resource_app_id: str
    resource_access: list[ResourceAccess]


class PasswordCredential(GraphSchema):
    key_id: str
    display_name: str
    hint: str
    start_date_time: str
    end_date_time: str
    secret_text: str | None


class Application(GraphSchema):
    id: str
    app_id: str
    display_name: str
    created_date_time: str
    is_fallback_public_client: bool
    password_credentials: list[PasswordCredential]
    required_resource_access: list[RequiredResourceAccess]


class ResourceAccessInput(GraphInput):
    id: str
    type: str


class RequiredResourceAccessInput(GraphInput):
    resource_app_id: str
    resource_access: list[ResourceAccessInput]


class ApplicationCreate(GraphInput):
    display_name: str
    # Graph's "Allow public client flows": people may sign in through the app (password grant).
    is_fallback_public_client: StrictBool = False
    required_resource_access: list[RequiredResourceAccessInput] = []


_READ_ONLY = {
    "id": "An application's id never changes.",
    "appId": "The application (client) id never changes.",
    "createdDateTime": "The creation time cannot be changed.",
    "passwordCredentials": "Use addPassword and removePassword.",
}


class ApplicationPatch(GraphInput):
    display_name: str | None = None
    is_fallback_public_client: StrictBool | None = None
    required_resource_access: list[RequiredResourceAccessInput] | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_read_only(cls, data):
        if isinstance(data, dict):
            for name in data:
                if name in _READ_ONLY:
                    raise ValueError(f"The property '{name}' cannot be changed. {_READ_ONLY[name]}")
        return data


class PasswordCredentialInput(GraphInput):
    display_name: str | None = None
    end_date_time: datetime | None = None


class AddPassword(GraphInput):
    password_credential: PasswordCredentialInput | None = None


class RemovePassword(GraphInput):
    key_id: uuid.UUID


def _permissions(request, required: list[RequiredResourceAccessInput]) -> list[str]:
    """Graph app-role ids to our permission names; anything we cannot grant is a 400.

    Registration and consent are one step here (an admin's consent is implied), so a program may
    only grant what it holds itself: otherwise Application.ReadWrite.All would lead to every
    permission of the directory.
    """
    names = []
    for resource in required:
        if resource.resource_app_id.lower() != GRAPH_RESOURCE_APP_ID:
            raise GraphError(400, "BadRequest", f"Unknown resourceAppId '{resource.resource_app_id}'. Only "
                             f"Microsoft Graph ({GRAPH_RESOURCE_APP_ID}) permissions can be granted.")
        for access in resource.resource_access:
            if access.type != "Role":
                raise GraphError(400, "BadRequest", f"Only application permissions (type 'Role') can be granted; "
                                 f"'{access.id}' has type '{access.type}'.")
            name = PERMISSION_BY_ID.get(access.id.lower())
            if name is None:
                raise GraphError(400, "BadRequest", f"Unknown permission id '{access.id}'.")
            names.append(name)
    beyond = sorted(set(names) - set(request.api_permissions))
    if beyond:
        raise GraphError(403, "Authorization_RequestDenied", "An application can only grant permissions it holds "
                         f"itself; this token does not hold: {', '.join(beyond)}.")
    return names


def _password_credential(secret: AppSecret, secret_text: str | None = None) -> dict:
    return {
        "customKeyIdentifier": None,
        "keyId": str(secret.pk),
        "displayName": secret.display_name,
        "hint": secret.hint,
        "startDateTime": iso(secret.created_at),
        "endDateTime": iso(secret.expires_at),
        "secretText": secret_text,
    }


def serialize(app: AppRegistration) -> dict:
    return {
        "id": str(app.pk),
        "appId": str(app.client_id),
        "displayName": app.display_name,
        "createdDateTime": iso(app.created_at),
        "isFallbackPublicClient": app.public_client_enabled,
        "passwordCredentials": [_password_credential(secret) for secret in app.live_secrets],
        "requiredResourceAccess": [{
            "resourceAppId": GRAPH_RESOURCE_APP_ID,
            "resourceAccess": [{"id": PERMISSION_IDS[name], "type": "Role"} for name in app.permissions],
        }] if app.permissions else [],
    }


def _with_live_secrets(apps, tenant):
    """`apps` with their secrets that still count (revoked ones are gone from Graph's view)."""
    live = AppSecret.objects.filter(tenant=tenant, revoked_at__isnull=True).order_by("created_at")
    return apps.prefetch_related(Prefetch("secrets", queryset=live, to_attr="live_secrets"))


def _app(request, app_id: str) -> AppRegistration:
    try:
        pk = uuid.UUID(app_id)
    except ValueError:
        raise not_found() from None
    apps = _with_live_secrets(AppRegistration.objects.select_related("tenant"), request.tenant)
    return tenant_object_or_404(apps, request.tenant, pk=pk)


def _months(end: datetime | None) -> int | None:
    """Whole 30-day months from now to `end` (rounded up); None keeps the service's default lifetime."""
    if end is None:
        return None
    end = end if end.tzinfo else end.replace(tzinfo=UTC)
    seconds = (end - timezone.now()).total_seconds()
    if seconds <= 0:
        raise ValidationError({"end_date_time": ["The end date must be in the future."]})
    months = math.ceil(seconds / (DAYS_PER_MONTH * 86400))
    if months > settings.APP_SECRET_MAX_MONTHS:
        raise ValidationError({"end_date_time": [
            f"A secret can live at most {settings.APP_SECRET_MAX_MONTHS * DAYS_PER_MONTH} days "
            f"({settings.APP_SECRET_MAX_MONTHS} months of {DAYS_PER_MONTH} days)."]})
    return months


@router.get("/applications", response=collection_of(Application, "ApplicationCollection"), summary="List applications",
            openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def application_list(request):
    """Permissions: Application.ReadWrite.All. `$filter`/`$orderby` on displayName, appId, createdDateTime."""
    require_any(request, MANAGE)
    query = parse_query(request.GET, FIELDS, default_order=[("displayName", False)], type_name=TYPE_NAME)
    apps = _with_live_secrets(AppRegistration.objects.filter(tenant=request.tenant), request.tenant)
    return odata_collection(request, apps, query, fields=FIELDS, name=NAME,
                            salt="tenantadmin.api.applications", serialize=serialize)


@router.post("/applications", response={201: Application}, summary="Create an application",
             openapi_extra=graph_openapi())
def application_create(request, payload: ApplicationCreate):
    """Permissions: Application.ReadWrite.All. Grant permissions with `requiredResourceAccess`: resourceAppId
    `00000003-0000-0000-c000-000000000000` and `resourceAccess` items `{"id": <Graph app-role id>, "type": "Role"}`.
    `isFallbackPublicClient: true` lets people sign in through the app with the password grant."""
    require_any(request, MANAGE)
    app = app_registration_create(tenant=request.tenant, actor=request.actor, display_name=payload.display_name,
                                  permissions=_permissions(request, payload.required_resource_access),
                                  public_client_enabled=payload.is_fallback_public_client)
    return odata_entity(NAME, serialize(_app(request, str(app.pk))), None, status=201)


@router.get("/applications/{app_id}", response=Application, summary="Get an application",
            openapi_extra=graph_openapi("select"))
def application_get(request, app_id: str):
    """Permissions: Application.ReadWrite.All. `app_id` is the object id (`id`), not the client id. Supports $select."""
    require_any(request, MANAGE)
    select = parse_query(request.GET, FIELDS, type_name=TYPE_NAME).select
    return odata_entity(NAME, serialize(_app(request, app_id)), select)


@router.patch("/applications/{app_id}", response={204: None}, summary="Update an application",
              openapi_extra=graph_openapi())
def application_patch(request, app_id: str, payload: ApplicationPatch):
    """Permissions: Application.ReadWrite.All. `requiredResourceAccess` replaces the app's permissions; tokens
    already issued lose removed permissions at once and gain added ones only when renewed. Turning
    `isFallbackPublicClient` off ends the tokens of people who signed in through the app."""
    require_any(request, MANAGE)
    app = _app(request, app_id)
    data = payload.model_dump(exclude_unset=True)
    for name in data:
        if data[name] is None:
            raise ValidationError({name: ["This property cannot be null."]})
    required = payload.required_resource_access
    app_registration_update(app=app, actor=request.actor, display_name=payload.display_name,
                            permissions=None if required is None else _permissions(request, required),
                            public_client_enabled=payload.is_fallback_public_client)
    return HttpResponse(status=204)


@router.delete("/applications/{app_id}", response={204: None}, summary="Delete an application",
               openapi_extra=graph_openapi())
def application_delete(request, app_id: str):
    """Permissions: Application.ReadWrite.All. Its secrets go with it: its tokens stop working at once."""
    require_any(request, MANAGE)
    app_registration_delete(app=_app(request, app_id), actor=request.actor)
    return HttpResponse(status=204)


@router.post("/applications/{app_id}/addPassword", response=PasswordCredential, summary="Add a client secret",
             openapi_extra=graph_openapi())
def application_add_password(request, app_id: str, payload: AddPassword):
    """Permissions: Application.ReadWrite.All. `secretText` is shown in this response only. `endDateTime` is
    rounded up to whole 30-day months, at most 720 days ahead; without it the secret lives 6 months."""
    require_any(request, MANAGE)
    app = _app(request, app_id)
    credential = payload.password_credential or PasswordCredentialInput()
    months = _months(credential.end_date_time)
    lifetime = {} if months is None else {"months": months}  # none asked for: the service's default
    secret, plain = app_secret_create(app=app, actor=request.actor, display_name=credential.display_name or "",
                                      **lifetime)
    body = {"@odata.context": odata_context("microsoft.graph.passwordCredential"),
            **_password_credential(secret, plain)}
    return JsonResponse(body, headers={"Cache-Control": "no-store"})


@router.post("/applications/{app_id}/removePassword", response={204: None}, summary="Remove a client secret",
             openapi_extra=graph_openapi())
def application_remove_password(request, app_id: str, payload: RemovePassword):
    """Permissions: Application.ReadWrite.All. New tokens are refused and tokens already issued with the
    secret stop working at once."""
    require_any(request, MANAGE)
    app = _app(request, app_id)
    secret = app.secrets.filter(pk=payload.key_id, revoked_at__isnull=True).first()
    if secret is None:
        raise not_found(f"No password credential with keyId '{payload.key_id}' was found on this application.")
    app_secret_revoke(secret=secret, actor=request.actor)
    return HttpResponse(status=204)

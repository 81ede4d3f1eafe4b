"""Our extension /v1.0/tenantadmin/userViews: the custom views of the Users page (saved filters shared by the
organization's administrators, at most 50), and the users each one shows. users.api_groups mounts this router."""

import uuid

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from ninja import Router
from pydantic import StrictBool

from tenantadmin.access import tenant_object_or_404
from tenantadmin.api.auth import require_any
from tenantadmin.api.errors import GraphError, not_found
from tenantadmin.api.odata import apply_select, parse_query
from tenantadmin.api.shapes import (
    COLLECTION_OPTIONS, SELECT_ONLY, GraphInput, GraphSchema, collection_of, graph_openapi, iso, odata_collection,
    odata_context, odata_entity,
)
from tenantadmin.roles import ROLE_TEMPLATE_IDS
from users.api_shapes import USER_FIELDS, USER_TYPE, GraphUser, member_shape
from users.custom_view_services import TooManyViews, custom_view_create, custom_view_delete, custom_view_update
from users.models import CustomView, LicenseAssignment, User
from users.selectors import custom_view_list
from users.views_catalog import custom_view_as_view

router = Router(tags=["User views (extension)"], by_alias=True)

NAME = "tenantadmin/userViews"
READ = ("User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All")
WRITE = ("User.ReadWrite.All", "Directory.ReadWrite.All")
VIEW_FIELDS = {name: SELECT_ONLY for name in ("id", "displayName", "filters", "createdDateTime",
                                               "lastModifiedDateTime", "createdBy")}
ROLE_BY_TEMPLATE = {template: role for role, template in ROLE_TEMPLATE_IDS.items()}
# The API's filter names → CustomView.filters keys (the portal form's), and back.
_FILTER_NAMES = {"skuId": "sku", "withoutLicenses": "unlicensed", "domain": "domain", "department": "department",
                 "usageLocation": "country", "accountEnabled": "sign_in", "roleTemplateId": "role",
                 "memberOfGroupId": "group"}
_API_NAMES = {key: name for name, key in _FILTER_NAMES.items()}


class UserViewFilters(GraphSchema):
    sku_id: str | None = None
    without_licenses: bool | None = None
    domain: str | None = None
    department: str | None = None
    usage_location: str | None = None
    account_enabled: bool | None = None
    role_template_id: str | None = None
    member_of_group_id: str | None = None


class Creator(GraphSchema):
    id: str
    user_principal_name: str


class UserView(GraphSchema):
    id: str
    display_name: str
    filters: UserViewFilters
    created_date_time: str
    last_modified_date_time: str
    created_by: Creator | None


class FiltersInput(GraphInput):
    sku_id: str | None = None
    without_licenses: StrictBool | None = None
    domain: str | None = None
    department: str | None = None
    usage_location: str | None = None
    account_enabled: StrictBool | None = None
    role_template_id: str | None = None
    member_of_group_id: str | None = None


class UserViewCreate(GraphInput):
    display_name: str
    filters: FiltersInput


class UserViewPatch(GraphInput):
    display_name: str | None = None
    filters: FiltersInput | None = None


def _to_model(filters: FiltersInput) -> dict:
    data = filters.model_dump(by_alias=True, exclude_none=True)
    values = {_FILTER_NAMES[name]: value for name, value in data.items()}
    if "sign_in" in values:
        values["sign_in"] = "allowed" if values["sign_in"] else "blocked"
    if "role" in values:
        # An unknown template id is kept as it is, so the service names the filter in its error.
        values["role"] = ROLE_BY_TEMPLATE.get(str(values["role"]).lower(), values["role"])
    return values


def _to_api(filters: dict) -> dict:
    values = {}
    for key, value in (filters or {}).items():
        if key == "sign_in":
            value = value == "allowed"
        elif key == "role":
            value = ROLE_TEMPLATE_IDS.get(value, value)
        values[_API_NAMES[key]] = value
    return values


def view_shape(view: CustomView) -> dict:
    creator = view.created_by
    return {
        "id": str(view.pk),
        "displayName": view.name,
        "filters": _to_api(view.filters),
        "createdDateTime": iso(view.created_at),
        "lastModifiedDateTime": iso(view.updated_at),
        "createdBy": {"id": str(creator.pk), "userPrincipalName": creator.upn} if creator else None,
    }


def _api_errors(error: ValidationError) -> GraphError:
    """The service's errors with the API's property names (filters.skuId rather than sku)."""
    if isinstance(error, TooManyViews):
        return GraphError(400, "Directory_QuotaExceeded", " ".join(error.messages))
    if not hasattr(error, "error_dict"):
        return GraphError(400, "BadRequest", " ".join(error.messages))
    parts = []
    for field, messages in error.message_dict.items():
        name = "displayName" if field == "name" else f"filters.{_API_NAMES.get(field, field)}"
        parts += [f"{name}: {message}" for message in messages]
    return GraphError(400, "BadRequest", " ".join(parts))


def _view(request, view_id: str) -> CustomView:
    try:
        pk = uuid.UUID(view_id)
    except ValueError:
        raise not_found() from None
    return tenant_object_or_404(CustomView.objects.select_related("tenant", "created_by"), request.tenant, pk=pk)


@router.get("/tenantadmin/userViews", response=collection_of(UserView, "UserViewCollection"),
            summary="List the custom views of the Users page (extension)", openapi_extra=graph_openapi("select"))
def user_view_list(request):
    """At most 50, by name. Permissions: User.Read.All (or broader), or a person's token whose role views users.
    Filters (all optional, ANDed): `skuId`, `withoutLicenses`, `domain`, `department`, `usageLocation`
    (ISO country code), `accountEnabled`, `roleTemplateId` (a directory role's template id), `memberOfGroupId`."""
    require_any(request, *READ)
    select = parse_query(request.GET, VIEW_FIELDS, type_name="tenantadmin.userView").select
    views = custom_view_list(tenant=request.tenant)
    return JsonResponse({"@odata.context": odata_context(NAME, select),
                         "value": [apply_select(view_shape(view), select) for view in views]})


@router.post("/tenantadmin/userViews", response={201: UserView}, summary="Create a custom view (extension)",
             openapi_extra=graph_openapi())
def user_view_create(request, payload: UserViewCreate):
    """Permissions: User.ReadWrite.All or Directory.ReadWrite.All, or a person's token whose role manages users.
    `displayName` is unique in the organization (any case, ≤ 64 characters); at least one filter. The 51st view
    is refused with 400 `Directory_QuotaExceeded`."""
    require_any(request, *WRITE)
    try:
        view = custom_view_create(tenant=request.tenant, actor=request.actor, name=payload.display_name,
                                  filters=_to_model(payload.filters))
    except ValidationError as error:
        raise _api_errors(error) from None
    return odata_entity(NAME, view_shape(_view(request, str(view.pk))), None, status=201)


@router.get("/tenantadmin/userViews/{view_id}", response=UserView, summary="Get a custom view (extension)",
            openapi_extra=graph_openapi("select"))
def user_view_get(request, view_id: str):
    """Permissions as for the list. Supports $select."""
    require_any(request, *READ)
    select = parse_query(request.GET, VIEW_FIELDS, type_name="tenantadmin.userView").select
    return odata_entity(NAME, view_shape(_view(request, view_id)), select)


@router.patch("/tenantadmin/userViews/{view_id}", response={204: None}, summary="Update a custom view (extension)",
              openapi_extra=graph_openapi())
def user_view_patch(request, view_id: str, payload: UserViewPatch):
    """Permissions as for creating. `displayName`; `filters` replaces the whole set of filters."""
    require_any(request, *WRITE)
    view = _view(request, view_id)
    try:
        custom_view_update(view=view, actor=request.actor, name=payload.display_name,
                           filters=None if payload.filters is None else _to_model(payload.filters))
    except ValidationError as error:
        raise _api_errors(error) from None
    return HttpResponse(status=204)


@router.delete("/tenantadmin/userViews/{view_id}", response={204: None}, summary="Delete a custom view (extension)",
               openapi_extra=graph_openapi())
def user_view_delete(request, view_id: str):
    """Permissions as for creating. The users the view shows are not touched."""
    require_any(request, *WRITE)
    custom_view_delete(view=_view(request, view_id), actor=request.actor)
    return HttpResponse(status=204)


@router.get("/tenantadmin/userViews/{view_id}/users", response=collection_of(GraphUser, "UserViewUserCollection"),
            summary="List the users a custom view shows (extension)", openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def user_view_users(request, view_id: str):
    """The users (not deleted) matching every filter of the view. Permissions as for the list; OData options as
    for /v1.0/users."""
    require_any(request, *READ)
    view = _view(request, view_id)
    query = parse_query(request.GET, USER_FIELDS, default_order=[("displayName", False)], type_name=USER_TYPE)
    licenses = LicenseAssignment.objects.filter(tenant=request.tenant).order_by("assigned_at", "id")
    users = custom_view_as_view(view).narrow(User.objects.filter(tenant=request.tenant)).prefetch_related(
        Prefetch("licenses", queryset=licenses))
    return odata_collection(request, users, query, fields=USER_FIELDS, name="users",
                            salt=f"users.api.user_view_users:{view.pk}", serialize=member_shape)

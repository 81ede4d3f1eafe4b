"""Deleting users and Graph's deleted items (SPEC users/ "Delete and restore"); users.api mounts this router.

DELETE /v1.0/users/{id} moves a user to /v1.0/directory/deletedItems for 30 days, where it can be read,
restored or removed for good. Restore follows Graph: `autoReconcileProxyConflict` drops e-mail addresses
other accounts use now; as our extension (Restore-MsolUser's option) `newUserPrincipalName` restores under a
new user name when a live account took the old one."""

import json
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.http import HttpResponse
from ninja import Router
from pydantic import Field, ValidationError as PydanticError

from tenantadmin.access import tenant_object_or_404
from tenantadmin.api.auth import require_any
from tenantadmin.api.errors import GraphError, validation_message
from tenantadmin.api.odata import Field as ODataField, parse_query
from tenantadmin.api.shapes import (
    COLLECTION_OPTIONS, GraphInput, collection_of, graph_openapi, iso, odata_collection, odata_entity,
)
from tenantadmin.api.tokens import DIRECTORY_SCOPE
from tenantadmin.roles import Perm
from users.api_shapes import USER_FIELDS, USER_TYPE, GraphUser, user_shape
from users.licenses import NoFreeLicenses
from users.lifecycle_services import RestoreConflict, user_delete, user_purge, user_restore
from users.models import LicenseAssignment, User

router = Router(tags=["Users"], by_alias=True)

READ = ("User.Read.All",)  # User.ReadWrite.All and Directory.*.All imply it
WRITE = ("User.ReadWrite.All",)  # Directory.ReadWrite.All implies it
DELETED_NAME = "directory/deletedItems/microsoft.graph.user"
DELETED_FIELDS = {**USER_FIELDS, "deletedDateTime": ODataField("deleted_at", kind="datetime")}


class DeletedUser(GraphUser):
    deleted_date_time: str


class RestoreBody(GraphInput):
    auto_reconcile_proxy_conflict: bool = Field(False, description=(
        "Graph: remove the e-mail addresses that other live accounts use now, and restore without them."))
    new_user_principal_name: str | None = Field(None, description=(
        "Extension (not in Graph's body; Restore-MsolUser's option): restore under this alias@domain, one of the "
        "organization's verified domains, when a live account took the old user name."))


def require(request, permissions: tuple[str, ...], perm: Perm) -> None:
    """An app holding one of `permissions`; a person's token with the directory scope whose roles hold `perm`
    now (the same right the portal asks for the same thing)."""
    if request.api_user is None:
        require_any(request, *permissions)
    elif DIRECTORY_SCOPE not in request.api_scopes or perm not in request.api_user.admin_perms:
        raise PermissionDenied


def with_licenses(users):
    licenses = LicenseAssignment.objects.order_by("assigned_at", "id")
    return users.select_related("tenant").prefetch_related(Prefetch("licenses", queryset=licenses))


def live_user(request, user_id: str) -> User:
    """A live user of the caller's organization by id or user principal name (any case); else a 404."""
    users = with_licenses(User.objects.filter(deleted_at__isnull=True))
    try:
        return tenant_object_or_404(users, request.tenant, pk=uuid.UUID(user_id))
    except ValueError:
        return tenant_object_or_404(users.alias(upn_lower=Lower("upn")), request.tenant, upn_lower=user_id.lower())


def _deleted_user(request, item_id: str) -> User:
    try:
        pk = uuid.UUID(item_id)
    except ValueError:
        raise GraphError(404, "Request_ResourceNotFound", f"Resource '{item_id}' does not exist or one of its queried "
                         "reference-property objects are not present.") from None
    return tenant_object_or_404(with_licenses(User.objects.filter(deleted_at__isnull=False)), request.tenant, pk=pk)


def deleted_shape(user: User) -> dict:
    return {"@odata.type": f"#{USER_TYPE}", **user_shape(user), "deletedDateTime": iso(user.deleted_at)}


def _refused(error: ValidationError) -> GraphError:
    return GraphError(400, "Request_BadRequest", " ".join(error.messages))


@router.delete("/users/{user_id}", response={204: None}, summary="Delete a user", openapi_extra=graph_openapi())
def user_delete_route(request, user_id: str):
    """Moves the user to deleted items for 30 days: licenses freed, roles removed, sign-in and tokens ended.
    Permissions: User.ReadWrite.All, or a person's token whose role deletes users. Refused (403) for
    administrators unless a global administrator asks, for yourself, and for the last global administrator."""
    require(request, WRITE, Perm.USERS_WRITE)
    user = live_user(request, user_id)
    try:
        user_delete(user=user, actor=request.actor)
    except ValidationError as error:
        if error.code == "last_global_admin":
            raise _refused(error) from None
        raise GraphError(403, "Authorization_RequestDenied", " ".join(error.messages)) from None
    return HttpResponse(status=204)


@router.get("/directory/deletedItems/microsoft.graph.user", response=collection_of(DeletedUser, "DeletedUserCollection"),
            summary="List deleted users", openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def deleted_user_list(request):
    """Users deleted in the last 30 days. Permissions: User.Read.All (or broader), or a person's token whose role
    views users. OData as for /v1.0/users, plus `deletedDateTime` to filter and sort on."""
    require(request, READ, Perm.USERS_READ)
    query = parse_query(request.GET, DELETED_FIELDS, default_order=[("displayName", False)], type_name=USER_TYPE)
    deleted = with_licenses(User.objects.filter(tenant=request.tenant, deleted_at__isnull=False))
    return odata_collection(request, deleted, query, fields=DELETED_FIELDS, name=DELETED_NAME,
                            salt="users.api.deleted", serialize=deleted_shape)


@router.get("/directory/deletedItems/{item_id}", response=DeletedUser, summary="Get a deleted item",
            openapi_extra=graph_openapi("select"))
def deleted_item_get(request, item_id: str):
    """A deleted user by id. Permissions as for the list. Supports $select."""
    require(request, READ, Perm.USERS_READ)
    select = parse_query(request.GET, DELETED_FIELDS, type_name=USER_TYPE).select
    return odata_entity("directoryObjects", deleted_shape(_deleted_user(request, item_id)), select)


def _restore_body(request) -> RestoreBody:
    # Graph clients often send no body at all; an empty body means the defaults.
    raw = request.body.strip()
    if not raw:
        return RestoreBody()
    try:
        return RestoreBody.model_validate(json.loads(raw))
    except json.JSONDecodeError:
        raise GraphError(400, "BadRequest", "The request body is not valid JSON.") from None
    except PydanticError as error:
        raise GraphError(400, "BadRequest", validation_message(
            [{**e, "loc": ("body", "payload", *e["loc"])} for e in error.errors()])) from None


@router.post("/directory/deletedItems/{item_id}/restore", response=GraphUser, summary="Restore a deleted user",
             openapi_extra={**graph_openapi(), "requestBody": {"required": False, "content": {"application/json": {
                 "schema": RestoreBody.model_json_schema(by_alias=True)}}}})
def deleted_item_restore(request, item_id: str):
    """Restores the user with the licenses it held when deleted (each needs a free unit, else 400). Body
    (optional): `autoReconcileProxyConflict` (Graph) drops e-mail addresses other accounts use now; our
    extension `newUserPrincipalName` restores under a new user name when a live account took the old one
    (without it that is a 400 naming the conflict). Administrator roles do not come back, and the password
    does not either: set one with PATCH /v1.0/users/{id} (passwordProfile) before the user signs in.
    Permissions: User.ReadWrite.All, or a person's token whose role changes users."""
    require(request, WRITE, Perm.USERS_WRITE)
    user = _deleted_user(request, item_id)
    body = _restore_body(request)
    alias = domain = ""
    if body.new_user_principal_name:
        alias, at, domain = body.new_user_principal_name.strip().rpartition("@")
        if not at or not alias:
            raise GraphError(400, "BadRequest", "newUserPrincipalName must be alias@domain.")
    try:
        user, _password = user_restore(user=user, actor=request.actor, new_alias=alias, new_domain=domain,
                                       drop_proxy_conflicts=body.auto_reconcile_proxy_conflict,
                                       temporary_password=False)
    except NoFreeLicenses as error:
        raise GraphError(400, "Request_BadRequest", f"Subscription with SKU {error.sku.pk} "
                         f"({error.sku.part_number}) does not have any available licenses.") from None
    except RestoreConflict as error:
        hint = (" Send autoReconcileProxyConflict: true to restore without them." if error.code == "proxy_conflict"
                else " Send newUserPrincipalName to restore under another user name.")
        raise GraphError(400, "Request_BadRequest", " ".join(error.messages) + hint) from None
    except ValidationError as error:
        raise _refused(error) from None
    restored = with_licenses(User.objects).get(pk=user.pk)
    return odata_entity("directoryObjects", {"@odata.type": f"#{USER_TYPE}", **user_shape(restored)}, None)


@router.delete("/directory/deletedItems/{item_id}", response={204: None}, summary="Permanently delete a deleted user",
               openapi_extra=graph_openapi())
def deleted_item_purge(request, item_id: str):
    """Removes a deleted user for good at once, instead of after 30 days. Permissions as for restore."""
    require(request, WRITE, Perm.USERS_WRITE)
    user = _deleted_user(request, item_id)
    if not user_purge(user=user, actor=request.actor):
        raise GraphError(404, "Request_ResourceNotFound", "Resource not found.")
    return HttpResponse(status=204)

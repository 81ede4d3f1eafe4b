"""Graph's user resource and what hangs off it: /v1.0/me (the signed-in person's profile and password),
/v1.0/users (read; creating and changing users is in users.api_user_writes), /v1.0/directoryRoles (roles and who
holds them)
and /v1.0/subscribedSkus (the organization's licenses). Mounted by tenantadmin.api.app, which finds this module."""

import uuid
from contextlib import nullcontext

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.db.models.functions import Lower
from django.http import HttpResponse, JsonResponse
from ninja import Router
from ninja.operation import PathView
from pydantic import field_validator

from billing.models import Subscription
from billing.selectors import subscription_list
from tenantadmin.access import tenant_object_or_404
from tenantadmin.api.auth import require_any, require_scope
from tenantadmin.api.errors import GraphError, not_found
from tenantadmin.api.odata import apply_select, parse_query
from tenantadmin.plan_hints import collect_then_sort
from tenantadmin.api.shapes import (
    COLLECTION_OPTIONS,
    GraphInput,
    collection_of,
    graph_openapi,
    odata_collection,
    odata_context,
    odata_entity,
)
from tenantadmin.api.tokens import DIRECTORY_SCOPE
from tenantadmin.roles import Perm, Role
from users.api_shapes import (
    ROLE_FIELDS,
    SKU_FIELDS,
    USER_FIELDS,
    USER_TYPE,
    DirectoryRole,
    GraphUser,
    SubscribedSku,
    directory_role_id,
    directory_role_shape,
    member_shape,
    subscribed_sku_shapes,
    user_shape,
)
from users.me_services import me_update
from users.models import LicenseAssignment, ProxyAddress, User
from users.password_services import password_change

router = Router(tags=["Users"], by_alias=True)

NAME = "users"
READ_SCOPE = "User.Read"
WRITE_SCOPE = "User.ReadWrite"
READ_ALL = "User.Read.All"  # User.ReadWrite.All and Directory.*.All imply it
ROLES_READ = ("Directory.Read.All", "RoleManagement.ReadWrite.Directory")
SKUS_READ = ("Organization.Read.All", "Directory.Read.All")
# Graph's own wording for a password the directory's policy refuses.
COMPLEXITY = ("The specified password does not comply with password complexity requirements. "
              "Please provide a different password.")

def _at_most_one(items: list[str] | None, what: str) -> list[str] | None:
    if items is not None and len(items) > 1:
        raise ValueError(f"Only one {what} can be stored.")
    return items


class MePatch(GraphInput):
    display_name: str | None = None
    mobile_phone: str | None = None
    business_phones: list[str] | None = None
    preferred_language: str | None = None
    other_mails: list[str] | None = None

    @field_validator("business_phones")
    @classmethod
    def _one_phone(cls, phones):
        return _at_most_one(phones, "business phone number")

    @field_validator("other_mails")
    @classmethod
    def _one_mail(cls, mails):
        return _at_most_one(mails, "other e-mail address")


class ChangePassword(GraphInput):
    current_password: str
    new_password: str


def _language(code: str | None) -> str:
    """A display language code; Graph clients write a culture such as en-US, we keep the language."""
    code = (code or "").strip().lower()
    known = {value for value, _name in settings.LANGUAGES}
    return code if code in known or "-" not in code else code.split("-")[0]


# Service field names as the Graph properties the client sent.
_PROPERTY_NAMES = {"display_name": "displayName", "mobile_phone": "mobilePhone", "office_phone": "businessPhones",
                   "language": "preferredLanguage", "alternate_email": "otherMails"}


def _bad_request(error: ValidationError, names: dict) -> GraphError:
    messages = [f"{names.get(field, field)}: {message}" for field, messages in error.message_dict.items()
                for message in messages]
    return GraphError(400, "BadRequest", " ".join(messages))


@router.get("/me", response=GraphUser, summary="Get the signed-in person", openapi_extra=graph_openapi("select"))
def me_get(request):
    """A person's token only (scope User.Read); an app's token gets 400. Supports $select."""
    require_scope(request, READ_SCOPE)
    select = parse_query(request.GET, USER_FIELDS, type_name=USER_TYPE).select
    return odata_entity(NAME, user_shape(request.api_user), select)


@router.patch("/me", response={204: None}, summary="Update the signed-in person's profile",
              openapi_extra=graph_openapi())
def me_patch(request, payload: MePatch):
    """A person's token only (scope User.ReadWrite). `displayName`, `mobilePhone`, `businessPhones` (one),
    `preferredLanguage` (en, de or nl; en-US style is accepted) and `otherMails` (one address; an
    administrator must keep one). All or nothing: one bad value changes nothing."""
    require_scope(request, WRITE_SCOPE)
    data = payload.model_dump(exclude_unset=True)
    values = {}
    if "display_name" in data:
        values["display_name"] = data["display_name"] or ""
    if "mobile_phone" in data:
        values["mobile_phone"] = data["mobile_phone"] or ""
    if "business_phones" in data:
        values["office_phone"] = (data["business_phones"] or [""])[0]
    if "preferred_language" in data:
        values["language"] = _language(data["preferred_language"])
    if "other_mails" in data:
        values["alternate_email"] = (data["other_mails"] or [""])[0]
    try:
        me_update(user=request.api_user, actor=request.actor, **values)
    except ValidationError as error:
        raise _bad_request(error, _PROPERTY_NAMES) from None
    return HttpResponse(status=204)


@router.post("/me/changePassword", response={204: None}, summary="Change the signed-in person's password",
             openapi_extra=graph_openapi())
def me_change_password(request, payload: ChangePassword):
    """A person's token only (scope User.ReadWrite). The new password must follow the organization's policy;
    every token issued before the change stops working, this one included: sign in again."""
    require_scope(request, WRITE_SCOPE)
    try:
        password_change(user=request.api_user, actor=request.actor, current_password=payload.current_password,
                        new_password=payload.new_password)
    except ValidationError as error:
        errors = error.message_dict
        if "current_password" in errors:
            raise GraphError(400, "Request_BadRequest", " ".join(errors["current_password"])) from None
        raise GraphError(400, "Request_BadRequest", " ".join([COMPLEXITY, *errors.get("new_password", [])])) from None
    return HttpResponse(status=204)


def _require(request, permissions: tuple[str, ...], perm: Perm) -> None:
    """An app holding one of `permissions`; a person's token with the directory scope whose roles hold `perm`,
    the right the portal asks for the same thing (checked now: a role removed since sign-in no longer counts)."""
    if request.api_user is None:
        require_any(request, *permissions)
    elif DIRECTORY_SCOPE not in request.api_scopes or perm not in request.api_user.admin_perms:
        raise PermissionDenied


def _live_users(tenant):
    """The organization's users that are not on the Deleted users tab, with their licenses: one query per page
    of users, whatever its size (prefetched for the fetched rows only)."""
    licenses = LicenseAssignment.objects.filter(tenant=tenant).order_by("assigned_at", "id")
    return User.objects.filter(tenant=tenant, deleted_at__isnull=True).prefetch_related(
        Prefetch("licenses", queryset=licenses), Prefetch("proxy_addresses", queryset=ProxyAddress.objects.filter(tenant=tenant)))


def _user(request, user_id: str, users) -> User:
    """`user_id` is an id or a user principal name in any case; another organization's user is a 404."""
    try:
        return tenant_object_or_404(users, request.tenant, pk=uuid.UUID(user_id))
    except ValueError:
        # lower(upn) is what the live-name unique index holds, so the lookup uses it.
        return tenant_object_or_404(users.alias(upn_lower=Lower("upn")), request.tenant, upn_lower=user_id.lower())


@router.get("/users", response=collection_of(GraphUser, "UserCollection"), summary="List users",
            openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def user_list(request):
    """Users that are not deleted (deleted ones are under /v1.0/directory/deletedItems). Permissions:
    application User.Read.All (or a broader one), or a person's token whose role views users. `$filter` on
    id, userPrincipalName, displayName, givenName, surname, department, jobTitle, accountEnabled,
    usageLocation and createdDateTime (`startswith` on the text ones); `$orderby` displayName (default),
    userPrincipalName or createdDateTime."""
    _require(request, (READ_ALL,), Perm.USERS_READ)
    query = parse_query(request.GET, USER_FIELDS, default_order=[("displayName", False)], type_name=USER_TYPE)
    # startswith matches are collected through the prefix indexes and then sorted (see plan_hints).
    with collect_then_sort() if "startswith" in request.GET.get("$filter", "") else nullcontext():
        return odata_collection(request, _live_users(request.tenant), query, fields=USER_FIELDS, name=NAME,
                                salt="users.api.users", serialize=user_shape)


@router.get("/users/{user_id}", response=GraphUser, summary="Get a user", openapi_extra=graph_openapi("select"))
def user_get(request, user_id: str):
    """`user_id` is the user's id or user principal name (any case). Permissions as for the list. Supports $select."""
    _require(request, (READ_ALL,), Perm.USERS_READ)
    select = parse_query(request.GET, USER_FIELDS, type_name=USER_TYPE).select
    return odata_entity(NAME, user_shape(_user(request, user_id, _live_users(request.tenant))), select)


def _role(request, role_id: str) -> str:
    """The role whose id in the caller's organization is `role_id`; any other id, another organization's too, is a 404."""
    for role in Role:
        if directory_role_id(request.tenant.pk, role) == role_id.lower():
            return role
    raise not_found()


@router.get("/directoryRoles", response=collection_of(DirectoryRole, "DirectoryRoleCollection"),
            summary="List directory roles", openapi_extra=graph_openapi("select"))
def directory_role_list(request):
    """Every administrator role. `id` is the role's id in this organization, `roleTemplateId` Graph's id of
    the role, the same everywhere. Permissions: Directory.Read.All or RoleManagement.ReadWrite.Directory, or a
    person's token of any administrator. Supports $select."""
    _require(request, ROLES_READ, Perm.ADMIN_CENTER)
    select = parse_query(request.GET, ROLE_FIELDS, type_name="microsoft.graph.directoryRole").select
    roles = [apply_select(directory_role_shape(request.tenant.pk, role), select) for role in Role]
    return JsonResponse({"@odata.context": odata_context("directoryRoles", select), "value": roles})


@router.get("/directoryRoles/{role_id}", response=DirectoryRole, summary="Get a directory role",
            openapi_extra=graph_openapi("select"))
def directory_role_get(request, role_id: str):
    """Permissions as for the list. Supports $select."""
    _require(request, ROLES_READ, Perm.ADMIN_CENTER)
    select = parse_query(request.GET, ROLE_FIELDS, type_name="microsoft.graph.directoryRole").select
    return odata_entity("directoryRoles", directory_role_shape(request.tenant.pk, _role(request, role_id)), select)


@router.get("/directoryRoles/{role_id}/members", response=collection_of(GraphUser, "DirectoryRoleMemberCollection"),
            summary="List the members of a directory role", openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def directory_role_members(request, role_id: str):
    """The users holding the role, as `#microsoft.graph.user` directory objects. Permissions as for the list;
    OData options as for /v1.0/users."""
    _require(request, ROLES_READ, Perm.ADMIN_CENTER)
    role = _role(request, role_id)
    query = parse_query(request.GET, USER_FIELDS, default_order=[("displayName", False)], type_name=USER_TYPE)
    holders = _live_users(request.tenant).filter(role_assignments__tenant=request.tenant, role_assignments__role=role)
    return odata_collection(request, holders, query, fields=USER_FIELDS, name="directoryObjects",
                            salt="users.api.role_members", serialize=member_shape)


@router.get("/subscribedSkus", response=collection_of(SubscribedSku, "SubscribedSkuCollection"),
            summary="List the organization's licenses by plan", openapi_extra=graph_openapi("select"))
def subscribed_sku_list(request):
    """One entry per plan the organization has subscriptions of (deleted subscriptions do not count):
    `prepaidUnits` by subscription state, `consumedUnits` the licenses assigned. `appliesTo` is "User" for plans
    licensed per person and "Company" for add-ons (extra storage): their prepaidUnits count units of the
    organization and consumedUnits is always 0, as nobody can be assigned one. Permissions:
    Organization.Read.All or Directory.Read.All, or a person's token whose role views licenses. Supports $select."""
    _require(request, SKUS_READ, Perm.LICENSES_READ)
    select = parse_query(request.GET, SKU_FIELDS, type_name="microsoft.graph.subscribedSku").select
    subscriptions = subscription_list(tenant=request.tenant).exclude(status=Subscription.Status.DELETED)
    consumed = dict(LicenseAssignment.objects.filter(tenant=request.tenant).order_by()
                    .values_list("sku_id").annotate(held=Count("id")))
    skus = subscribed_sku_shapes(request.tenant.pk, subscriptions, consumed)
    return JsonResponse({"@odata.context": odata_context("subscribedSkus", select),
                         "value": [apply_select(sku, select) for sku in skus]})


# The rest of the users area's routes live in their own modules (one per capability); they are mounted
# here because tenantadmin.api.app mounts one router per app.
from users import api_deleted_items, api_groups, api_licenses, api_member_of, api_user_writes  # noqa: E402


def _merge(part: Router) -> None:
    """Add `part`'s operations to this router path by path. Django sends a path to one view, so a path split over
    two routers (GET /users/{id} here, PATCH in api_user_writes, DELETE in api_deleted_items) would answer 405 for
    the methods of the second one; joined in one PathView, ninja dispatches every method."""
    for path, view in part.path_operations.items():
        target = router.path_operations.setdefault(path, PathView())
        target.operations.extend(view.operations)
        target.is_async = target.is_async or view.is_async


for _part in (api_user_writes, api_deleted_items, api_licenses, api_groups, api_member_of):
    _merge(_part.router)

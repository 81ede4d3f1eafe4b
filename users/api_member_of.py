"""Graph's /v1.0/users/{id}/memberOf: what a user is a direct member of, as directory objects — the administrator
roles they hold (`#microsoft.graph.directoryRole`) and the security groups they are in (`#microsoft.graph.group`) —
and its type casts /memberOf/microsoft.graph.group and /memberOf/microsoft.graph.directoryRole (what Graph's
PowerShell SDK calls for Get-MgUserMemberOfAsGroup and Get-MgUserMemberOfAsDirectoryRole). users.api mounts this
router.

Roles are not rows of their own (every organization has every role), so the collection lists the user's roles
first, then their groups by displayName; the OData options apply to both kinds alike."""

import operator

from django.core import signing
from django.db.models import Q, QuerySet
from django.http import JsonResponse
from ninja import Router

from tenantadmin.api.auth import require_any
from tenantadmin.api.odata import ODataQuery, apply_select, parse_query
from tenantadmin.api.shapes import (
    COLLECTION_OPTIONS, collection_of, graph_openapi, next_link, odata_collection, odata_context,
)
from tenantadmin.paging import CursorError, keyset_page
from users.api_groups import (
    GROUP_FIELDS, GROUP_TYPE, GraphGroup, group_member_of_shape, limited_group_shape, live_user,
)
from users.api_groups import READ as GROUP_READ
from users.api_shapes import ROLE_FIELDS, DirectoryRole, directory_role_shape
from users.group_selectors import user_groups
from users.models import RoleAssignment, User

router = Router(tags=["Users"], by_alias=True)

ROLE_TYPE = "microsoft.graph.directoryRole"
# Graph lists these least to most privileged; a person's token passes where their roles may view users.
MEMBER_OF = ("User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All")
# As /v1.0/directoryRoles (users.api): what lets an app read roles.
ROLES_READ = ("Directory.Read.All", "RoleManagement.ReadWrite.Directory")
COLLECTION = "directoryObjects"
_ROLE_OFFSET_SALT = "users.api.member_of.roles"
_OPERATORS = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


def _reads_groups(request) -> bool:
    return bool(request.api_permissions.intersection(GROUP_READ))


def _reads_roles(request) -> bool:
    # A person reaching memberOf may view users, so holds an administrator role, and every administrator may read
    # the directory roles (as on /v1.0/directoryRoles); an app needs a permission that reads roles.
    return request.api_user is not None or bool(request.api_permissions.intersection(ROLES_READ))


def _role_shape(request, role: str) -> dict:
    shape = directory_role_shape(request.tenant.pk, role)
    if not _reads_roles(request):
        # Graph's "limited information returned for inaccessible member objects": the type and id only.
        shape = {**{key: None for key in shape}, "id": shape["id"]}
    return {"@odata.type": f"#{ROLE_TYPE}", **shape}


def _group_serializer(request):
    return group_member_of_shape if _reads_groups(request) else limited_group_shape


def _compare(values: dict, path: str, operand) -> bool:
    """One lookup of a $filter (`display_name__istartswith`, ...) against a role's values, as SQL decides it for
    a group's columns: a missing (null) value matches nothing but `isnull`; text compares without case."""
    name, _sep, lookup = path.rpartition("__")
    actual = values.get(name)
    if lookup == "isnull":
        return (actual is None) == operand
    if actual is None:
        return False
    if lookup == "exact":
        return actual == operand
    if lookup in ("iexact", "istartswith", "iendswith"):
        actual, operand = str(actual).casefold(), str(operand).casefold()
        return {"iexact": actual == operand, "istartswith": actual.startswith(operand),
                "iendswith": actual.endswith(operand)}[lookup]
    try:
        return _OPERATORS[lookup](actual, operand)
    except TypeError:  # e.g. a date compared with text: SQL would not match either
        return False


def _matches(q: Q, values: dict) -> bool:
    """Whether a role passes the $filter that the database applies to the groups (the same Q, evaluated here)."""
    outcomes = [_matches(child, values) if isinstance(child, Q) else _compare(values, *child) for child in q.children]
    result = all(outcomes) if q.connector == Q.AND else any(outcomes)
    return result != q.negated


def _roles(request, user: User, *, filter_q: Q | None = None, descending: bool = False) -> list[str]:
    """The roles `user` holds that pass `filter_q` (a $filter on GROUP_FIELDS), by displayName (one query)."""
    roles = []
    for role in RoleAssignment.objects.filter(tenant=request.tenant, user=user).values_list("role", flat=True):
        shape = directory_role_shape(request.tenant.pk, role)
        # The role's properties under the names GROUP_FIELDS filter on; a role has no nickname nor creation time.
        values = {"id": shape["id"], "display_name": shape["displayName"], "description": shape["description"],
                  "mail_nickname": None, "created_at": None}
        if filter_q is None or _matches(filter_q, values):
            roles.append((shape["displayName"].casefold(), role))
    return [role for _name, role in sorted(roles, reverse=descending)]


def _groups(request, user: User, query: ODataQuery) -> QuerySet:
    groups = user_groups(tenant=request.tenant, user=user)
    return groups if query.filter_q is None else groups.filter(query.filter_q)


def _role_offset(skiptoken: str | None, salt: str) -> int | None:
    """The roles already shown when the $skiptoken points into them; None when it is a groups cursor."""
    if not skiptoken:
        return 0
    try:
        offset = signing.loads(skiptoken, salt=f"{_ROLE_OFFSET_SALT}:{salt}")
    except signing.BadSignature:
        return None  # keyset_page judges it (and answers 400 for anything it did not make)
    if not isinstance(offset, int) or offset < 0:
        raise CursorError("Invalid cursor")
    return offset


def _member_of_page(request, user: User, query: ODataQuery, *, salt: str) -> JsonResponse:
    """One page: the roles left to show, then groups by keyset, `$top` items in all."""
    # $orderby can only name displayName (GROUP_FIELDS), which orders the roles too.
    roles = _roles(request, user, filter_q=query.filter_q, descending=any(desc for _prop, desc in query.order_by))
    groups = _groups(request, user, query)
    order = [(GROUP_FIELDS[prop].lookup, desc) for prop, desc in query.order_by]
    offset = _role_offset(query.skiptoken, salt)
    roles_shown = roles[offset:offset + query.top] if offset is not None else []
    items = [_role_shape(request, role) for role in roles_shown]
    next_token = None
    if offset is not None and offset + len(roles_shown) < len(roles):
        next_token = signing.dumps(offset + len(roles_shown), salt=f"{_ROLE_OFFSET_SALT}:{salt}")
    elif len(items) < query.top:
        page = keyset_page(groups, order=order, size=query.top - len(items),
                           cursor=None if offset is not None else query.skiptoken, salt=salt)
        serialize = _group_serializer(request)
        items += [serialize(group) for group in page.items]
        next_token = page.next_cursor
    elif groups.exists():  # the roles filled the page exactly: the groups start on the next one
        next_token = signing.dumps(len(roles), salt=f"{_ROLE_OFFSET_SALT}:{salt}")
    body = {"@odata.context": odata_context(COLLECTION, query.select)}
    if query.count:
        body["@odata.count"] = len(roles) + groups.count()
    body["value"] = [apply_select(item, query.select) for item in items]
    if next_token:
        body["@odata.nextLink"] = next_link(request, next_token)
    return JsonResponse(body)


@router.get("/users/{user_id}/memberOf",
            response=collection_of(GraphGroup | DirectoryRole, "UserMemberOfCollection"),
            summary="List the groups and directory roles a user is a direct member of",
            openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def user_member_of(request, user_id: str):
    """`user_id` is the user's id or user principal name. The administrator roles the user holds come first
    (`#microsoft.graph.directoryRole`), then the security groups they are in (`#microsoft.graph.group`) by
    displayName. Permissions: User.Read.All (or broader), or a person's token whose role views users. As in Graph,
    a caller that may not read groups (no Group.Read.All or broader) gets only each group's type and id, and an app
    that may not read roles (no Directory.Read.All or RoleManagement.ReadWrite.Directory) only each role's.
    `$filter` on id, displayName, description, mailNickname and createdDateTime applies to roles and groups alike;
    `$orderby` displayName; `$top`, `$count`, `$select`; follow `@odata.nextLink` for the next page."""
    require_any(request, *MEMBER_OF)
    user = live_user(request, user_id)
    query = parse_query(request.GET, GROUP_FIELDS, default_order=[("displayName", False)], type_name=GROUP_TYPE)
    return _member_of_page(request, user, query, salt=f"users.api.member_of:{user.pk}")


@router.get("/users/{user_id}/memberOf/microsoft.graph.group",
            response=collection_of(GraphGroup, "UserMemberOfGroupCollection"),
            summary="List the groups a user is a direct member of", openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def user_member_of_groups(request, user_id: str):
    """memberOf cast to groups: the security groups only. Permissions and OData options as for memberOf."""
    require_any(request, *MEMBER_OF)
    user = live_user(request, user_id)
    query = parse_query(request.GET, GROUP_FIELDS, default_order=[("displayName", False)], type_name=GROUP_TYPE)
    return odata_collection(request, user_groups(tenant=request.tenant, user=user), query, fields=GROUP_FIELDS,
                            name="groups", salt=f"users.api.member_of.groups:{user.pk}",
                            serialize=_group_serializer(request))


@router.get("/users/{user_id}/memberOf/microsoft.graph.directoryRole",
            response=collection_of(DirectoryRole, "UserMemberOfDirectoryRoleCollection"),
            summary="List the directory roles a user holds", openapi_extra=graph_openapi("select"))
def user_member_of_roles(request, user_id: str):
    """memberOf cast to directory roles: the administrator roles the user holds, by displayName (at most one per
    role, so one page). Permissions as for memberOf. Supports $select."""
    require_any(request, *MEMBER_OF)
    user = live_user(request, user_id)
    select = parse_query(request.GET, ROLE_FIELDS, type_name=ROLE_TYPE).select
    roles = _roles(request, user)
    return JsonResponse({"@odata.context": odata_context("directoryRoles", select),
                         "value": [apply_select(_role_shape(request, role), select) for role in roles]})

"""Graph's security groups: /v1.0/groups (list, create, get, update, delete) and a group's members (list, add with
members/$ref, remove with members/{id}/$ref); /v1.0/users/{id}/memberOf is users.api_member_of. users.api mounts
this router; the custom views of the Users page (/v1.0/tenantadmin/userViews) hang off it too.

Only security groups exist here: `securityEnabled` true, `mailEnabled` false, `groupTypes` []."""

import re
import uuid

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Lower
from django.db import transaction
from django.http import Http404, HttpResponse
from ninja import Router
from pydantic import Field, StrictBool

from tenantadmin.access import tenant_object_or_404
from tenantadmin.api.auth import require_any
from tenantadmin.api.errors import GraphError, not_found
from tenantadmin.api.odata import Field as ODataField
from tenantadmin.api.odata import parse_query
from tenantadmin.api.shapes import (
    COLLECTION_OPTIONS, SELECT_ONLY, GraphInput, GraphSchema, collection_of, graph_openapi, iso, odata_collection,
    odata_entity,
)
from users import api_user_views
from users.api_shapes import USER_FIELDS, USER_TYPE, GraphUser, member_shape
from users.group_selectors import group_members
from users.group_services import group_create, group_delete, group_members_add, group_members_remove, group_update
from users.models import LicenseAssignment, SecurityGroup, User

router = Router(tags=["Groups"], by_alias=True)
# users.api merges this router's paths into its own (ninja does not mount routers nested two deep), so the
# extension's paths join this router's the same way; they share no path with it.
router.path_operations.update(api_user_views.router.path_operations)

NAME = "groups"
GROUP_TYPE = "microsoft.graph.group"
# Graph names these least to most privileged; a person's token passes where their roles allow the same in the
# portal (Group.Read.All: view users; Group.ReadWrite.All: manage groups; Directory.*: global administrator).
READ = ("Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All")
WRITE = ("Group.ReadWrite.All", "Directory.ReadWrite.All")

GROUP_FIELDS = {
    "id": ODataField("id", kind="guid", sortable=False),
    "displayName": ODataField("display_name"),
    "description": ODataField("description", sortable=False),
    "mailNickname": ODataField("mail_nickname", sortable=False),
    "createdDateTime": ODataField("created_at", kind="datetime", sortable=False),
    **{name: SELECT_ONLY for name in (
        "deletedDateTime", "classification", "expirationDateTime", "groupTypes", "isAssignableToRole", "mail",
        "mailEnabled", "membershipRule", "membershipRuleProcessingState", "onPremisesSyncEnabled",
        "preferredDataLocation", "proxyAddresses", "renewedDateTime", "securityEnabled", "securityIdentifier",
        "visibility")},
}
# Graph's answer when the member is there already.
ALREADY_MEMBER = "One or more added object references already exist for the following modified properties: 'members'."
# An @odata.id names a directory object by URL; any base (ours, graph.microsoft.com) is accepted.
_MEMBER_REF = re.compile(r"/(?:directoryObjects|users)/([^/?#]+)/?$")


class GraphGroup(GraphSchema):
    id: str
    deleted_date_time: str | None
    classification: str | None
    created_date_time: str
    description: str | None
    display_name: str
    expiration_date_time: str | None
    group_types: list[str]
    is_assignable_to_role: bool | None
    mail: str | None
    mail_enabled: bool
    mail_nickname: str
    membership_rule: str | None
    membership_rule_processing_state: str | None
    on_premises_sync_enabled: bool | None
    preferred_data_location: str | None
    proxy_addresses: list[str]
    renewed_date_time: str
    security_enabled: bool
    security_identifier: str
    visibility: str | None


def security_identifier(group_id: uuid.UUID) -> str:
    """The SID Entra ID derives from an object id (S-1-12-1- and the id's four little-endian 32-bit words)."""
    raw = group_id.bytes_le
    return "S-1-12-1-" + "-".join(str(int.from_bytes(raw[i:i + 4], "little")) for i in range(0, 16, 4))


def group_shape(group: SecurityGroup) -> dict:
    return {
        "id": str(group.pk),
        "deletedDateTime": None,
        "classification": None,
        "createdDateTime": iso(group.created_at),
        "description": group.description or None,
        "displayName": group.display_name,
        "expirationDateTime": None,
        "groupTypes": [],
        "isAssignableToRole": None,
        "mail": None,
        "mailEnabled": False,
        "mailNickname": group.mail_nickname,
        "membershipRule": None,
        "membershipRuleProcessingState": None,
        "onPremisesSyncEnabled": None,
        "preferredDataLocation": None,
        "proxyAddresses": [],
        "renewedDateTime": iso(group.created_at),
        "securityEnabled": True,
        "securityIdentifier": security_identifier(group.pk),
        "visibility": None,
    }


def group_member_of_shape(group: SecurityGroup) -> dict:
    """A group inside a collection of directory objects (memberOf): Graph names the type."""
    return {"@odata.type": f"#{GROUP_TYPE}", **group_shape(group)}


def limited_group_shape(group: SecurityGroup) -> dict:
    """What Graph shows of a group to a caller that may read the user but not groups: the type and id, the rest
    null ("limited information returned for inaccessible member objects")."""
    return {"@odata.type": f"#{GROUP_TYPE}", **{key: None for key in group_shape(group)}, "id": str(group.pk)}


class GroupCreate(GraphInput):
    display_name: str
    mail_nickname: str
    mail_enabled: StrictBool
    security_enabled: StrictBool
    description: str | None = None
    group_types: list[str] = []
    members_odata_bind: list[str] | None = Field(None, alias="members@odata.bind")


class GroupPatch(GraphInput):
    display_name: str | None = None
    description: str | None = None
    mail_nickname: str | None = None


class MemberReference(GraphInput):
    # Optional in the schema so a foreign or unknown group is a 404 whatever the body; checked in the route.
    odata_id: str | None = Field(None, alias="@odata.id")


def _group(request, group_id: str) -> SecurityGroup:
    try:
        pk = uuid.UUID(group_id)
    except ValueError:
        raise not_found() from None
    return tenant_object_or_404(SecurityGroup.objects.select_related("tenant"), request.tenant, pk=pk)


def _with_licenses(users: QuerySet, tenant) -> QuerySet:
    # member_shape lists a user's licenses: one prefetch query per page, whatever its size.
    licenses = LicenseAssignment.objects.filter(tenant=tenant).order_by("assigned_at", "id")
    return users.prefetch_related(Prefetch("licenses", queryset=licenses))


def _member_id(reference: str | None) -> str:
    match = _MEMBER_REF.search((reference or "").strip())
    if not match:
        raise GraphError(400, "BadRequest", "Invalid value for '@odata.id': give the member's URL, e.g. "
                         "https://graph.microsoft.com/v1.0/directoryObjects/{id}.")
    return match.group(1)


def live_user(request, user_ref: str) -> User:
    """A live user of the caller's organization by id or user principal name; anything else is a 404."""
    users = User.objects.filter(deleted_at__isnull=True)
    try:
        return tenant_object_or_404(users, request.tenant, pk=uuid.UUID(user_ref))
    except ValueError:
        return tenant_object_or_404(users.alias(upn_lower=Lower("upn")), request.tenant, upn_lower=user_ref.lower())


def _members(request, references: list[str]) -> list[User]:
    members = []
    for reference in references:
        try:
            members.append(live_user(request, _member_id(reference)))
        except Http404:  # name the reference, as Graph does
            raise GraphError(400, "Request_BadRequest", f"Invalid object identifier '{reference}'.") from None
    return members


@router.get("/groups", response=collection_of(GraphGroup, "GroupCollection"), summary="List groups",
            openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def group_list(request):
    """The organization's security groups. Permissions: Group.Read.All (or Group.ReadWrite.All, Directory.*), or a
    person's token whose role views users. `$filter` on id, displayName, description, mailNickname and
    createdDateTime (`startswith` on the text ones); `$orderby` displayName."""
    require_any(request, *READ)
    query = parse_query(request.GET, GROUP_FIELDS, default_order=[("displayName", False)], type_name=GROUP_TYPE)
    return odata_collection(request, SecurityGroup.objects.filter(tenant=request.tenant), query, fields=GROUP_FIELDS,
                            name=NAME, salt="users.api.groups", serialize=group_shape)


@router.post("/groups", response={201: GraphGroup}, summary="Create a security group", openapi_extra=graph_openapi())
def group_post(request, payload: GroupCreate):
    """Permissions: Group.ReadWrite.All or Directory.ReadWrite.All, or a person's token whose role manages
    groups. Required: `displayName` (unique in the organization, any case), `mailNickname` (≤ 64 ASCII
    characters without @ ( ) \\ [ ] " ; : < > , or spaces), `mailEnabled: false`, `securityEnabled: true`.
    Optional: `description`, `groupTypes: []`, `members@odata.bind` (user URLs, as for members/$ref)."""
    require_any(request, *WRITE)
    if payload.mail_enabled or not payload.security_enabled or payload.group_types:
        raise GraphError(400, "Request_BadRequest", "Only security groups can be created here: "
                         "mailEnabled false, securityEnabled true and groupTypes [].")
    members = _members(request, payload.members_odata_bind or [])
    with transaction.atomic():  # the group and its first members, or nothing
        group = group_create(tenant=request.tenant, actor=request.actor, display_name=payload.display_name,
                             description=payload.description or "", mail_nickname=payload.mail_nickname)
        if members:
            group_members_add(group=group, actor=request.actor, user_ids=[member.pk for member in members])
    return odata_entity(NAME, group_shape(group), None, status=201)


@router.get("/groups/{group_id}", response=GraphGroup, summary="Get a group", openapi_extra=graph_openapi("select"))
def group_get(request, group_id: str):
    """Permissions as for the list. Supports $select."""
    require_any(request, *READ)
    select = parse_query(request.GET, GROUP_FIELDS, type_name=GROUP_TYPE).select
    return odata_entity(NAME, group_shape(_group(request, group_id)), select)


@router.patch("/groups/{group_id}", response={204: None}, summary="Update a group", openapi_extra=graph_openapi())
def group_patch(request, group_id: str, payload: GroupPatch):
    """Permissions as for creating. `displayName`, `description` (null clears it) and `mailNickname`."""
    require_any(request, *WRITE)
    group = _group(request, group_id)
    data = payload.model_dump(exclude_unset=True)
    for name in ("display_name", "mail_nickname"):
        if name in data and data[name] is None:
            raise ValidationError({name: ["This property cannot be null."]})
    if "description" in data:
        data["description"] = data["description"] or ""
    group_update(group=group, actor=request.actor, **data)
    return HttpResponse(status=204)


@router.delete("/groups/{group_id}", response={204: None}, summary="Delete a group", openapi_extra=graph_openapi())
def group_remove(request, group_id: str):
    """Permissions as for creating. A security group is deleted for good (Graph keeps only Microsoft 365 groups
    among deleted items); its memberships and the custom views of the Users page that show its members go
    with it."""
    require_any(request, *WRITE)
    group_delete(group=_group(request, group_id), actor=request.actor)
    return HttpResponse(status=204)


@router.get("/groups/{group_id}/members", response=collection_of(GraphUser, "GroupMemberCollection"),
            summary="List a group's members", openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def group_member_list(request, group_id: str):
    """The group's users that are not deleted, as `#microsoft.graph.user` directory objects. Permissions as for
    the list of groups; OData options as for /v1.0/users."""
    require_any(request, *READ)
    group = _group(request, group_id)
    query = parse_query(request.GET, USER_FIELDS, default_order=[("displayName", False)], type_name=USER_TYPE)
    members = _with_licenses(group_members(tenant=request.tenant, group=group), request.tenant)
    return odata_collection(request, members, query, fields=USER_FIELDS, name="directoryObjects",
                            salt=f"users.api.group_members:{group.pk}", serialize=member_shape)


@router.post("/groups/{group_id}/members/$ref", response={204: None}, summary="Add a member to a group",
             openapi_extra=graph_openapi())
def group_member_add(request, group_id: str, payload: MemberReference):
    """Body `{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}`; any base URL ending in
    `/directoryObjects/{id}` or `/users/{id}` works (id or user principal name). Only users that are not
    deleted can be members. Permissions as for creating a group."""
    require_any(request, *WRITE)
    group = _group(request, group_id)
    user = live_user(request, _member_id(payload.odata_id))
    if not group_members_add(group=group, actor=request.actor, user_ids=[user.pk]):
        raise GraphError(400, "Request_BadRequest", ALREADY_MEMBER)
    return HttpResponse(status=204)


@router.delete("/groups/{group_id}/members/{member_id}/$ref", response={204: None},
               summary="Remove a member from a group", openapi_extra=graph_openapi())
def group_member_remove(request, group_id: str, member_id: str):
    """`member_id` is the user's id. Permissions as for creating a group. A user who is not a member is a 404."""
    require_any(request, *WRITE)
    group = _group(request, group_id)
    try:
        user_id = uuid.UUID(member_id)
    except ValueError:
        raise not_found() from None
    if not group_members(tenant=request.tenant, group=group).filter(pk=user_id).exists():
        raise not_found()
    group_members_remove(group=group, actor=request.actor, user_ids=[user_id])
    return HttpResponse(status=204)

"""Graph routes that create and change users and their directory roles: POST /v1.0/users, PATCH /v1.0/users/{id},
POST /v1.0/directoryRoles/{id}/members/$ref and DELETE /v1.0/directoryRoles/{id}/members/{id}/$ref.

The same services as the portal (users.services), so the SPEC rules hold whichever way a change arrives. users.api
mounts this router."""

import json
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.http import HttpResponse
from ninja import Router
from pydantic import StrictBool, field_validator

from tenantadmin.access import tenant_object_or_404
from tenantadmin.api.auth import require_any
from tenantadmin.api.errors import GraphError, not_found
from tenantadmin.api.shapes import GraphInput, graph_openapi, odata_entity
from tenantadmin.api.tokens import DIRECTORY_SCOPE
from tenantadmin.roles import Perm, Role
from users.api_shapes import GraphUser, directory_role_id, user_shape
from users.models import User
from users.password_services import password_reset_by_admin
from users.services import alias_errors, can_manage, role_assign, role_remove, user_create, user_update

router = Router(tags=["Users"], by_alias=True)

WRITE = ("User.ReadWrite.All", "Directory.ReadWrite.All")
RESET = ("User.ReadWrite.All",)  # Directory.ReadWrite.All implies it
ROLES_WRITE = ("RoleManagement.ReadWrite.Directory", "Directory.ReadWrite.All")
# Graph's own wording, which scripts match on.
COMPLEXITY = ("The specified password does not comply with password complexity requirements. "
              "Please provide a different password.")
UPN_TAKEN = "Another object with the same value for property userPrincipalName already exists."
BAD_DOMAIN = ("The domain portion of the userPrincipalName property is invalid. You must use one of the verified "
              "domain names in your organization.")
REF_EXISTS = "One or more added object references already exist for the following modified properties: 'members'."
READ_ONLY = "Property 'proxyAddresses' is read-only and cannot be set."

# Graph property → User field.
_FIELDS = {"display_name": "display_name", "given_name": "first_name", "surname": "last_name", "job_title": "job_title",
           "department": "department", "office_location": "office", "mobile_phone": "mobile_phone", "fax_number": "fax",
           "street_address": "street", "city": "city", "state": "state", "postal_code": "postal_code",
           "country": "country_name", "usage_location": "usage_location"}
_PROPERTY_NAMES = {"display_name": "displayName", "first_name": "givenName", "last_name": "surname",
                   "job_title": "jobTitle", "department": "department", "office": "officeLocation",
                   "office_phone": "businessPhones", "mobile_phone": "mobilePhone", "fax": "faxNumber",
                   "street": "streetAddress", "city": "city", "state": "state", "postal_code": "postalCode",
                   "country_name": "country", "usage_location": "usageLocation", "alternate_email": "otherMails",
                   "is_active": "accountEnabled", "alias": "userPrincipalName", "domain": "userPrincipalName"}


class PasswordProfile(GraphInput):
    password: str
    force_change_password_next_sign_in: StrictBool = True


def _at_most_one(items, what):
    if items is not None and len(items) > 1:
        raise ValueError(f"Only one {what} can be stored.")
    return items


class UserChange(GraphInput):
    """The writable properties of a user; `proxyAddresses` is named only to answer Graph's read-only error."""

    account_enabled: StrictBool | None = None
    display_name: str | None = None
    mail_nickname: str | None = None
    user_principal_name: str | None = None
    password_profile: PasswordProfile | None = None
    given_name: str | None = None
    surname: str | None = None
    job_title: str | None = None
    department: str | None = None
    office_location: str | None = None
    business_phones: list[str] | None = None
    mobile_phone: str | None = None
    fax_number: str | None = None
    street_address: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    usage_location: str | None = None
    other_mails: list[str] | None = None
    proxy_addresses: list[str] | None = None

    @field_validator("business_phones")
    @classmethod
    def _one_phone(cls, phones):
        return _at_most_one(phones, "business phone number")

    @field_validator("other_mails")
    @classmethod
    def _one_mail(cls, mails):
        return _at_most_one(mails, "other e-mail address")


class UserNew(UserChange):
    account_enabled: StrictBool
    display_name: str
    mail_nickname: str
    user_principal_name: str
    password_profile: PasswordProfile


def _require(request, permissions: tuple[str, ...], perm: Perm) -> None:
    """An app holding one of `permissions`, or a person's token with the directory scope whose roles hold `perm`
    now (a role removed since sign-in no longer counts)."""
    if request.api_user is None:
        require_any(request, *permissions)
    elif DIRECTORY_SCOPE not in request.api_scopes or perm not in request.api_user.admin_perms:
        raise PermissionDenied


def _user(request, user_id: str) -> User:
    """A live user of the caller's organization by id or user principal name; anything else is a 404."""
    users = User.objects.select_related("tenant").filter(deleted_at__isnull=True)
    try:
        return tenant_object_or_404(users, request.tenant, pk=uuid.UUID(user_id))
    except ValueError:
        return tenant_object_or_404(users.alias(upn_lower=Lower("upn")), request.tenant, upn_lower=user_id.lower())


def _values(data: dict) -> dict:
    """User fields from the Graph properties that were sent; null clears a property."""
    values = {field: data[name] or "" for name, field in _FIELDS.items() if name in data}
    if "business_phones" in data:
        values["office_phone"] = (data["business_phones"] or [""])[0]
    if "other_mails" in data:
        values["alternate_email"] = (data["other_mails"] or [""])[0]
    if data.get("account_enabled") is not None:
        values["is_active"] = data["account_enabled"]
    return values


def _split_upn(upn: str) -> tuple[str, str]:
    alias, at, domain = (upn or "").strip().rpartition("@")
    if not at or not alias or not domain:
        raise GraphError(400, "Request_BadRequest", "Invalid value specified for property 'userPrincipalName' of "
                                                    "resource 'User'.")
    return alias, domain


def _graph_error(error: ValidationError) -> GraphError:
    """A service's per-field errors in Graph's words (the first field decides the message)."""
    if not hasattr(error, "error_dict"):
        return GraphError(400, "Request_BadRequest", " ".join(error.messages))
    for field, errors in error.error_dict.items():
        codes = {getattr(item, "code", None) for item in errors}
        if field == "password":
            return GraphError(400, "Request_BadRequest", " ".join([COMPLEXITY, *error.message_dict[field]]))
        if codes & {"upn_taken", "proxy_taken"}:
            return GraphError(400, "Request_BadRequest", UPN_TAKEN)
        if "domain_not_verified" in codes:
            return GraphError(400, "Request_BadRequest", BAD_DOMAIN)
    messages = [f"Invalid value specified for property '{_PROPERTY_NAMES.get(field, field)}' of resource 'User'. "
                f"{message}" for field, items in error.message_dict.items() for message in items]
    return GraphError(400, "Request_BadRequest", " ".join(messages))


def _check_nickname(nickname: str | None) -> None:
    """Graph requires mailNickname; it follows the rules of the part before the @ (it is not stored: no mailboxes)."""
    if nickname is not None and alias_errors(nickname.strip()):
        raise GraphError(400, "Request_BadRequest", "Invalid value specified for property 'mailNickname' of resource "
                                                    f"'User'. {alias_errors(nickname.strip())[0]}")


def _shape(user: User) -> dict:
    return user_shape(User.objects.prefetch_related("licenses", "proxy_addresses").get(pk=user.pk))


def _refuse_read_only(data: dict) -> None:
    if "proxy_addresses" in data:
        raise GraphError(400, "Request_BadRequest", READ_ONLY)


@router.post("/users", response={201: GraphUser}, summary="Create a user", openapi_extra=graph_openapi())
def user_post(request, payload: UserNew):
    """Required: `accountEnabled`, `displayName`, `mailNickname`, `userPrincipalName` (on a verified domain) and
    `passwordProfile` (`password` by the organization's policy, `forceChangePasswordNextSignIn` default true).
    Optional: the other writable properties of a user. `proxyAddresses` is read-only: the user principal name becomes
    the primary address. `mailNickname` is checked but not stored: there are no mailboxes here.
    Permissions: application User.ReadWrite.All or Directory.ReadWrite.All, or a person's token whose role creates
    users. A duplicate user principal name is a 400 Request_BadRequest."""
    _require(request, WRITE, Perm.USERS_WRITE)
    data = payload.model_dump(exclude_unset=True)
    _refuse_read_only(data)
    alias, domain = _split_upn(data["user_principal_name"])
    _check_nickname(data.get("mail_nickname"))
    values = _values(data)
    display_name = values.pop("display_name")
    profile = payload.password_profile
    try:
        user, _password = user_create(tenant=request.tenant, actor=request.actor, alias=alias, domain=domain,
                                      display_name=display_name, password=profile.password,
                                      force_change=profile.force_change_password_next_sign_in, **values)
    except ValidationError as error:
        raise _graph_error(error) from None
    return odata_entity("users", _shape(user), None, status=201)


def _check_writer(request, user: User) -> None:
    if request.api_user is not None:
        if not can_manage(request.actor, user):
            raise PermissionDenied
    elif user.is_admin and "Directory.ReadWrite.All" not in request.api_permissions:
        # Like Graph: User.ReadWrite.All does not reach administrators' accounts.
        raise PermissionDenied


@router.patch("/users/{user_id}", response={204: None}, summary="Update a user", openapi_extra=graph_openapi())
def user_patch(request, user_id: str, payload: UserChange):
    """`user_id` is the user's id or user principal name. Any writable property; `userPrincipalName` renames the
    user (the primary e-mail address follows). All or nothing: one bad value changes nothing.
    Permissions: application User.ReadWrite.All (people without an administrator role) or Directory.ReadWrite.All;
    or a person's token whose role edits users (a user management administrator only people without a role).
    `passwordProfile` alone is an administrator's password reset and needs only the right to reset passwords: a
    password or user management administrator resets people without a role, a global administrator anyone's;
    nobody resets their own here (use POST /v1.0/me/changePassword). Every token of the user then stops working."""
    data = payload.model_dump(exclude_unset=True)
    profile = payload.password_profile if data.pop("password_profile", None) is not None else None
    if data:
        _require(request, WRITE, Perm.USERS_WRITE)
    else:
        _require(request, RESET, Perm.PASSWORDS_RESET)
    user = _user(request, user_id)
    if profile is not None and request.api_user is not None and user.pk == request.api_user.pk:
        raise GraphError(403, "Authorization_RequestDenied", "Change your own password with POST /v1.0/me/changePassword.")
    _refuse_read_only(data)
    if data:
        _check_writer(request, user)
    values = _values(data)
    _check_nickname(data.pop("mail_nickname", None))
    rename = {}
    if data.get("user_principal_name"):
        rename = dict(zip(("alias", "domain"), _split_upn(data["user_principal_name"])))
    try:
        with transaction.atomic():  # properties and password together, or neither
            if values or rename:
                user_update(user=user, actor=request.actor, **rename, **values)
            if profile is not None:
                password_reset_by_admin(user=user, actor=request.actor, password=profile.password,
                                        force_change=profile.force_change_password_next_sign_in)
    except ValidationError as error:
        raise _graph_error(error) from None
    return HttpResponse(status=204)


# ---------------------------------------------------------------------------------------- directory role members

def _role(request, role_id: str) -> str:
    for role in Role:
        if directory_role_id(request.tenant.pk, role) == role_id.lower():
            return role
    raise not_found()


def _member_id(request) -> str:
    """The object id at the end of the body's `@odata.id` (…/directoryObjects/{id} or …/users/{id})."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise GraphError(400, "BadRequest", "The request body is not valid JSON.") from None
    reference = body.get("@odata.id") if isinstance(body, dict) else None
    if not isinstance(reference, str) or not reference.strip():
        raise GraphError(400, "BadRequest", "The property '@odata.id' is required.")
    return reference.rstrip("/").rpartition("/")[2]


def _member(request, member_id: str) -> User:
    try:
        return _user(request, str(uuid.UUID(member_id)))
    except (ValueError, GraphError):
        raise not_found(f"Resource '{member_id}' does not exist or one of its queried reference-property objects "
                        f"are not present.") from None


_REF_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["@odata.id"],
    "properties": {"@odata.id": {"type": "string", "example": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}},
}}}}}


@router.post("/directoryRoles/{role_id}/members/$ref", response={204: None}, summary="Add a member to a directory role",
             openapi_extra={**graph_openapi(), **_REF_BODY})
def directory_role_member_add(request, role_id: str):
    """Body `{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}` naming a user of the organization.
    The user needs an alternate e-mail address (`otherMails`) first: administrators reset their own password with it.
    Permissions: RoleManagement.ReadWrite.Directory or Directory.ReadWrite.All, or a global administrator's token."""
    _require(request, ROLES_WRITE, Perm.ROLES_ASSIGN)
    role = _role(request, role_id)
    user = _member(request, _member_id(request))
    if role in user.role_codes:
        raise GraphError(400, "Request_BadRequest", REF_EXISTS)
    try:
        role_assign(user=user, role=role, actor=request.actor)
    except ValidationError as error:
        raise GraphError(400, "Request_BadRequest", " ".join(error.messages)) from None
    return HttpResponse(status=204)


@router.delete("/directoryRoles/{role_id}/members/{member_id}/$ref", response={204: None},
               summary="Remove a member from a directory role", openapi_extra=graph_openapi())
def directory_role_member_remove(request, role_id: str, member_id: str):
    """The organization keeps at least one global administrator: removing the last one is a 400. Permissions as for
    adding a member."""
    _require(request, ROLES_WRITE, Perm.ROLES_ASSIGN)
    role = _role(request, role_id)
    user = _member(request, member_id)
    try:
        removed = role_remove(user=user, role=role, actor=request.actor)
    except ValidationError as error:
        raise GraphError(400, "Request_BadRequest", " ".join(error.messages)) from None
    if not removed:
        raise not_found(f"Resource '{member_id}' does not exist or one of its queried reference-property objects "
                        f"are not present.")
    return HttpResponse(status=204)

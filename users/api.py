"""/v1.0/me and /v1.0/users/{id}: the signed-in person's profile and password, and the administrator's
password reset (Graph's user resource). Mounted by tenantadmin.api.app, which finds this module."""

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from ninja import Router
from pydantic import BaseModel, ConfigDict, StrictBool, field_validator
from pydantic.alias_generators import to_camel

from tenantadmin.access import tenant_object_or_404
from tenantadmin.api.auth import require_any, require_scope
from tenantadmin.api.errors import GraphError
from tenantadmin.api.odata import Field as ODataField
from tenantadmin.api.odata import parse_query
from tenantadmin.api.shapes import SELECT_ONLY, GraphInput, GraphSchema, graph_openapi, odata_entity
from tenantadmin.api.tokens import DIRECTORY_SCOPE
from tenantadmin.roles import Perm
from users.me_services import me_update
from users.password_services import password_reset_by_admin
from users.models import User
from users.password_services import password_change

router = Router(tags=["Users"], by_alias=True)

NAME = "users"
TYPE_NAME = "microsoft.graph.user"
READ_SCOPE = "User.Read"
WRITE_SCOPE = "User.ReadWrite"
RESET = "User.ReadWrite.All"  # Directory.ReadWrite.All implies it
# Graph's own wording for a password the directory's policy refuses.
COMPLEXITY = ("The specified password does not comply with password complexity requirements. "
              "Please provide a different password.")

FIELDS = {
    "id": ODataField("id", kind="guid"),
    "userPrincipalName": ODataField("upn"),
    "displayName": ODataField("display_name"),
    "givenName": ODataField("first_name"),
    "surname": ODataField("last_name"),
    "jobTitle": ODataField("job_title"),
    "department": ODataField("department"),
    "officeLocation": ODataField("office"),
    "businessPhones": SELECT_ONLY,
    "mobilePhone": ODataField("mobile_phone"),
    "mail": SELECT_ONLY,
    "otherMails": SELECT_ONLY,
    "preferredLanguage": ODataField("language"),
    "streetAddress": ODataField("street"),
    "city": ODataField("city"),
    "state": ODataField("state"),
    "postalCode": ODataField("postal_code"),
    "country": ODataField("country_name"),
    "usageLocation": ODataField("usage_location"),
    "accountEnabled": ODataField("is_active", kind="bool"),
}


class GraphUser(GraphSchema):
    id: str
    user_principal_name: str
    display_name: str
    given_name: str | None
    surname: str | None
    job_title: str | None
    department: str | None
    office_location: str | None
    business_phones: list[str]
    mobile_phone: str | None
    mail: str | None
    other_mails: list[str]
    preferred_language: str | None
    street_address: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    country: str | None
    usage_location: str | None
    account_enabled: bool


def serialize(user: User) -> dict:
    # Graph writes an empty property as null; we keep empty strings in the database.
    def value(text):
        return str(text) or None

    return {
        "id": str(user.pk),
        "userPrincipalName": user.upn,
        "displayName": user.display_name,
        "givenName": value(user.first_name),
        "surname": value(user.last_name),
        "jobTitle": value(user.job_title),
        "department": value(user.department),
        "officeLocation": value(user.office),
        "businessPhones": [user.office_phone] if user.office_phone else [],
        "mobilePhone": value(user.mobile_phone),
        "mail": None,  # no mailboxes here
        "otherMails": [user.alternate_email] if user.alternate_email else [],
        "preferredLanguage": value(user.language),
        "streetAddress": value(user.street),
        "city": value(user.city),
        "state": value(user.state),
        "postalCode": value(user.postal_code),
        "country": value(user.country_name),
        "usageLocation": value(user.usage_location),
        "accountEnabled": user.is_active,
    }


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


class PasswordProfile(GraphInput):
    password: str
    force_change_password_next_sign_in: StrictBool = True


class UserPatch(BaseModel):
    """Only passwordProfile for now; other properties are kept (not rejected by the schema) so that the
    user is looked up first: another organization's user is a 404 whatever the body says. A plain
    pydantic model: ninja's Schema drops the extra properties this needs to name."""

    model_config = ConfigDict(alias_generator=to_camel, extra="allow")
    password_profile: PasswordProfile | None = None


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
    select = parse_query(request.GET, FIELDS, type_name=TYPE_NAME).select
    return odata_entity(NAME, serialize(request.api_user), select)


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


def _require_reset_right(request) -> None:
    """An app needs User.ReadWrite.All; a person the directory scope and a role that resets passwords.
    Whose password (administrators' or not) is decided per user by the portal's rule."""
    if request.api_user is None:
        require_any(request, RESET)
    elif DIRECTORY_SCOPE not in request.api_scopes or Perm.PASSWORDS_RESET not in request.api_user.admin_perms:
        raise PermissionDenied


def _user(request, user_id: str) -> User:
    users = User.objects.select_related("tenant").filter(deleted_at__isnull=True)
    try:
        return tenant_object_or_404(users, request.tenant, pk=uuid.UUID(user_id))
    except ValueError:
        return tenant_object_or_404(users, request.tenant, upn__iexact=user_id)


@router.patch("/users/{user_id}", response={204: None}, summary="Update a user (password reset)",
              openapi_extra=graph_openapi())
def user_patch(request, user_id: str, payload: UserPatch):
    """`user_id` is the user's id or user principal name. For now only `passwordProfile`
    (`password`, `forceChangePasswordNextSignIn`, default true): an administrator's password reset.
    Permissions: application User.ReadWrite.All (people without an administrator role only); or a
    person's token whose roles reset passwords: a global administrator anyone's, a password or user
    management administrator only people without an administrator role. Nobody resets their own
    password here: use POST /v1.0/me/changePassword. Every token the user holds stops working."""
    _require_reset_right(request)
    user = _user(request, user_id)
    if request.api_user is not None and user.pk == request.api_user.pk:
        raise GraphError(403, "Authorization_RequestDenied",
                         "Change your own password with POST /v1.0/me/changePassword.")
    unsupported = sorted(payload.model_extra or {})
    if unsupported:
        raise GraphError(400, "BadRequest", f"Changing {', '.join(unsupported)} through the API is not supported yet; "
                         f"only passwordProfile can be changed.")
    profile = payload.password_profile
    if profile is not None:
        try:
            password_reset_by_admin(user=user, actor=request.actor, password=profile.password,
                                    force_change=profile.force_change_password_next_sign_in)
        except ValidationError as error:
            raise GraphError(400, "Request_BadRequest", " ".join([COMPLEXITY, *error.messages])) from None
    return HttpResponse(status=204)

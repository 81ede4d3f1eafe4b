"""/v1.0/organization: the caller's organization profile (Graph's organization resource)."""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpResponse
from ninja import Router
from pydantic import Field, field_validator, model_validator

from tenantadmin.api.auth import require_any
from tenantadmin.api.errors import not_found
from tenantadmin.api.odata import Field as ODataField
from tenantadmin.api.odata import parse_query
from tenantadmin.api.shapes import (
    COLLECTION_OPTIONS,
    SELECT_ONLY,
    GraphInput,
    GraphSchema,
    collection_of,
    graph_openapi,
    iso,
    odata_collection,
    odata_entity,
)
from tenantadmin.languages import COMMUNICATION_LANGUAGES
from tenantadmin.models import Tenant
from tenantadmin.services.organization import organization_update

router = Router(tags=["Organization"], by_alias=True)

READ = "Organization.Read.All"
WRITE = "Organization.ReadWrite.All"
NAME = "organization"
TYPE_NAME = "microsoft.graph.organization"

FIELDS = {
    "id": ODataField("id", kind="guid"),
    "displayName": ODataField("name"),
    "countryLetterCode": ODataField("country"),
    "preferredLanguage": ODataField("preferred_language"),
    "street": ODataField("street"),
    "city": ODataField("city"),
    "state": ODataField("state"),
    "postalCode": ODataField("postal_code"),
    "createdDateTime": ODataField("created_at", kind="datetime"),
    "businessPhones": SELECT_ONLY,
    "technicalNotificationMails": SELECT_ONLY,
    "tenantType": SELECT_ONLY,
    "verifiedDomains": SELECT_ONLY,
}


class VerifiedDomain(GraphSchema):
    name: str
    is_default: bool
    is_initial: bool
    type: str
    capabilities: str


class Organization(GraphSchema):
    id: str
    display_name: str
    country_letter_code: str
    preferred_language: str
    street: str
    city: str
    state: str
    postal_code: str
    business_phones: list[str]
    technical_notification_mails: list[str]
    created_date_time: str
    tenant_type: str
    verified_domains: list[VerifiedDomain]


def _max_length(field: str) -> int:
    return Tenant._meta.get_field(field).max_length


# Properties Graph shows but nobody may change here; named so the client learns why.
_READ_ONLY = {
    "id": "An organization's id never changes.",
    "countryLetterCode": "The country or region is fixed for the life of the organization.",
    "verifiedDomains": "Add and verify domains through /v1.0/domains.",
    "createdDateTime": "The creation time cannot be changed.",
    "tenantType": "The tenant type cannot be changed.",
}


class OrganizationPatch(GraphInput):
    display_name: str | None = Field(None, max_length=_max_length("name"))
    street: str | None = Field(None, max_length=_max_length("street"))
    city: str | None = Field(None, max_length=_max_length("city"))
    state: str | None = Field(None, max_length=_max_length("state"))
    postal_code: str | None = Field(None, max_length=_max_length("postal_code"))
    business_phones: list[str] | None = None
    technical_notification_mails: list[str] | None = None
    preferred_language: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_read_only(cls, data):
        if isinstance(data, dict):
            for name in data:
                if name in _READ_ONLY:
                    raise ValueError(f"The property '{name}' cannot be changed. {_READ_ONLY[name]}")
        return data

    @field_validator("business_phones")
    @classmethod
    def _one_phone(cls, phones):
        if phones is not None and len(phones) > 1:
            raise ValueError("Only one business phone number can be stored.")
        if phones and len(phones[0]) > _max_length("phone"):
            raise ValueError(f"Use at most {_max_length('phone')} characters.")
        return phones

    @field_validator("technical_notification_mails")
    @classmethod
    def _one_mail(cls, mails):
        if mails is not None and len(mails) > 1:
            raise ValueError("Only one technical notification address can be stored.")
        if mails:
            try:
                validate_email(mails[0])
            except ValidationError:
                raise ValueError(f"'{mails[0]}' is not a valid e-mail address.") from None
        return mails

    @field_validator("preferred_language")
    @classmethod
    def _known_language(cls, code):
        codes = [value for value, _label in COMMUNICATION_LANGUAGES]
        if code is not None and code not in codes:
            raise ValueError(f"Use one of: {', '.join(codes)}.")
        return code


def serialize(tenant: Tenant, domains) -> dict:
    return {
        "id": str(tenant.pk),
        "displayName": tenant.name,
        "countryLetterCode": str(tenant.country),
        "preferredLanguage": tenant.preferred_language,
        "street": tenant.street,
        "city": tenant.city,
        "state": tenant.state,
        "postalCode": tenant.postal_code,
        "businessPhones": [tenant.phone] if tenant.phone else [],
        "technicalNotificationMails": [tenant.technical_contact] if tenant.technical_contact else [],
        "createdDateTime": iso(tenant.created_at),
        "tenantType": "AAD",
        "verifiedDomains": [
            {"name": domain.name, "isDefault": domain.name == tenant.default_domain, "isInitial": domain.is_initial,
             "type": "Managed", "capabilities": "Email, OfficeCommunicationsOnline"}
            for domain in domains
        ],
    }


def _verified_domains(tenant: Tenant):
    return tenant.domains.filter(verified_at__isnull=False).order_by("name")


def _own_organization(request, org_id: str) -> Tenant:
    """The caller's organization if `org_id` names it; any other id is a 404, existing or not."""
    try:
        if uuid.UUID(org_id) == request.tenant.pk:
            return request.tenant
    except ValueError:
        pass
    raise not_found()


@router.get("/organization", response=collection_of(Organization, "OrganizationCollection"),
            summary="List organizations (the caller's one)", openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def organization_list(request):
    """Permissions: Organization.Read.All (or a broader one)."""
    require_any(request, READ)
    query = parse_query(request.GET, FIELDS, default_order=[("displayName", False)], type_name=TYPE_NAME)
    domains = list(_verified_domains(request.tenant))
    return odata_collection(
        request, Tenant.objects.filter(pk=request.tenant.pk), query, fields=FIELDS, name=NAME,
        salt="tenantadmin.api.organization", serialize=lambda tenant: serialize(tenant, domains),
    )


@router.get("/organization/{org_id}", response=Organization, summary="Get the organization",
            openapi_extra=graph_openapi("select"))
def organization_get(request, org_id: str):
    """Permissions: Organization.Read.All (or a broader one). Supports $select."""
    require_any(request, READ)
    tenant = _own_organization(request, org_id)
    select = parse_query(request.GET, FIELDS, type_name=TYPE_NAME).select
    return odata_entity(NAME, serialize(tenant, _verified_domains(tenant)), select)


@router.patch("/organization/{org_id}", response={204: None}, summary="Update the organization",
              openapi_extra=graph_openapi())
def organization_patch(request, org_id: str, payload: OrganizationPatch):
    """Permissions: Organization.ReadWrite.All. `businessPhones` and `technicalNotificationMails` hold at most
    one item; `preferredLanguage` is a language code; `countryLetterCode` is fixed for life."""
    require_any(request, WRITE)
    tenant = _own_organization(request, org_id)
    data = payload.model_dump(exclude_unset=True)
    if "display_name" in data and not (data["display_name"] or "").strip():
        raise ValidationError({"display_name": ["The organization name cannot be empty."]})
    if data.get("preferred_language", "") is None:
        raise ValidationError({"preferred_language": ["Choose a language."]})
    values = {}
    for name in ("street", "city", "state", "postal_code", "preferred_language"):
        if name in data:
            values[name] = data[name] or ""
    if "display_name" in data:
        values["name"] = data["display_name"].strip()
    if "business_phones" in data:
        values["phone"] = (data["business_phones"] or [""])[0]
    if "technical_notification_mails" in data:
        values["technical_contact"] = (data["technical_notification_mails"] or [""])[0]
    organization_update(tenant=tenant, actor=request.actor, **values)
    return HttpResponse(status=204)

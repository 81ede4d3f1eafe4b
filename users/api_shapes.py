"""Graph's JSON shapes of users, directory roles and subscribed SKUs, and the OData properties of a user.

The endpoints in users.api answer with these; one serializer per resource so /me, /users and a role's
members never drift apart."""

import uuid
from collections import defaultdict

from django.utils.translation import override

from tenantadmin.api.odata import Field as ODataField
from tenantadmin.api.shapes import SELECT_ONLY, GraphSchema, iso
from tenantadmin.roles import ROLE_DESCRIPTIONS, ROLE_TEMPLATE_IDS, Role
from users.license_status import DELETED, ENABLED, OFF, SUSPENDED, WARNING, license_statuses
from users.models import User

USER_TYPE = "microsoft.graph.user"


def _select_only(lookup: str) -> ODataField:
    return ODataField(lookup, filterable=False, sortable=False)


# $filter on the properties Graph filters users by; $orderby only where a (tenant, column) index serves it.
USER_FIELDS = {
    "id": ODataField("id", kind="guid", sortable=False),
    "userPrincipalName": ODataField("upn"),
    "displayName": ODataField("display_name"),
    "givenName": ODataField("first_name", sortable=False),
    "surname": ODataField("last_name", sortable=False),
    "jobTitle": ODataField("job_title", sortable=False),
    "department": ODataField("department", sortable=False),
    "officeLocation": _select_only("office"),
    "businessPhones": SELECT_ONLY,
    "mobilePhone": _select_only("mobile_phone"),
    "faxNumber": _select_only("fax"),
    "mail": SELECT_ONLY,
    "otherMails": SELECT_ONLY,
    "preferredLanguage": _select_only("language"),
    "streetAddress": _select_only("street"),
    "city": _select_only("city"),
    "state": _select_only("state"),
    "postalCode": _select_only("postal_code"),
    "country": _select_only("country_name"),
    "usageLocation": ODataField("usage_location", sortable=False),
    "accountEnabled": ODataField("is_active", kind="bool", sortable=False),
    "createdDateTime": ODataField("created_at", kind="datetime"),
    "assignedLicenses": SELECT_ONLY,
    "assignedPlans": SELECT_ONLY,
    "proxyAddresses": SELECT_ONLY,
}

# Graph's assignedPlan.capabilityStatus; a service plan switched off for the user reads "Deleted", as in Graph.
CAPABILITY_STATUS = {ENABLED: "Enabled", WARNING: "Warning", SUSPENDED: "Suspended", DELETED: "Deleted", OFF: "Deleted"}


class AssignedLicense(GraphSchema):
    sku_id: str
    disabled_plans: list[str]


class AssignedPlan(GraphSchema):
    assigned_date_time: str | None
    capability_status: str
    service: str
    service_plan_id: str


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
    fax_number: str | None
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
    created_date_time: str
    assigned_licenses: list[AssignedLicense]
    assigned_plans: list[AssignedPlan]
    proxy_addresses: list[str]


def user_shape(user: User) -> dict:
    """A user as Graph writes it; `user.licenses` should be prefetched (one query per page, not per user)."""

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
        "faxNumber": value(user.fax),
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
        "createdDateTime": iso(user.created_at),
        "assignedLicenses": [{"skuId": str(held.sku_id), "disabledPlans": list(held.disabled_plans)}
                             for held in user.licenses.all()],
        "assignedPlans": assigned_plans(user),
        "proxyAddresses": proxy_address_values(user),
    }


def assigned_plans(user: User) -> list[dict]:
    """Graph's assignedPlans: each service plan of the user's licenses with its capabilityStatus — Enabled, Warning
    (the plan's subscriptions expired, in their grace period), Suspended (every subscription of the plan disabled:
    the service is gone), Deleted (deleted, or switched off for this user). The plan states and the SKUs' service
    plans come from billing's cached digest: at most one query for a whole collection, none per user."""
    plans = []
    for status in license_statuses(tenant=user.tenant_id, assignments=user.licenses.all()):
        for plan in status.plans():
            plans.append({"assignedDateTime": iso(status.assignment.assigned_at),
                          "capabilityStatus": CAPABILITY_STATUS[plan["state"]], "service": plan["service"],
                          "servicePlanId": plan["id"]})
    return plans


def proxy_address_values(user: User) -> list[str]:
    """Graph's proxyAddresses ("SMTP:" primary first, then "smtp:" aliases) when the caller prefetched
    `proxy_addresses` (one query per page); an empty list otherwise rather than one query per user."""
    held = getattr(user, "_prefetched_objects_cache", {}).get("proxy_addresses")
    if held is None:
        return []
    return [str(proxy) for proxy in sorted(held, key=lambda proxy: (not proxy.is_primary, proxy.address))]


def member_shape(user: User) -> dict:
    """A user inside a collection of directory objects (a role's members): Graph names the type."""
    return {"@odata.type": f"#{USER_TYPE}", **user_shape(user)}


# ---------------------------------------------------------------------------------------- directory roles

ROLE_FIELDS = {name: SELECT_ONLY for name in ("id", "displayName", "description", "roleTemplateId", "deletedDateTime")}


class DirectoryRole(GraphSchema):
    id: str
    display_name: str
    description: str
    role_template_id: str
    deleted_date_time: str | None


def directory_role_id(tenant_id: uuid.UUID, role: str) -> str:
    """A role's object id in one organization. Graph gives each organization's role its own id (the template id
    is shared by all); derived rather than stored because every organization has every role."""
    return str(uuid.uuid5(tenant_id, f"directoryRole:{role}"))


def directory_role_shape(tenant_id: uuid.UUID, role: str) -> dict:
    # Graph's role names are English whatever the caller's language, and scripts match on them.
    with override("en"):
        return {
            "id": directory_role_id(tenant_id, role),
            "deletedDateTime": None,
            "description": str(ROLE_DESCRIPTIONS[role]),
            "displayName": str(Role(role).label),
            "roleTemplateId": ROLE_TEMPLATE_IDS[role],
        }


# ---------------------------------------------------------------------------------------- subscribed SKUs

SKU_FIELDS = {name: SELECT_ONLY for name in ("id", "skuId", "skuPartNumber", "appliesTo", "capabilityStatus",
                                             "consumedUnits", "prepaidUnits", "servicePlans", "subscriptionIds")}


class PrepaidUnits(GraphSchema):
    enabled: int
    suspended: int
    warning: int
    locked_out: int


class ServicePlanInfo(GraphSchema):
    service_plan_id: str
    service_plan_name: str
    provisioning_status: str
    applies_to: str


class SubscribedSku(GraphSchema):
    id: str
    sku_id: str
    sku_part_number: str
    applies_to: str
    capability_status: str
    consumed_units: int
    prepaid_units: PrepaidUnits
    service_plans: list[ServicePlanInfo]
    subscription_ids: list[str]


# The SKU shows the best state any of its subscriptions is in, as Graph does.
_CAPABILITY_ORDER = [("enabled", "Enabled"), ("warning", "Warning"), ("suspended", "Suspended")]


def subscribed_sku_shapes(tenant_id: uuid.UUID, subscriptions, consumed: dict) -> list[dict]:
    """One entry per SKU of `subscriptions` (deleted ones excluded by the caller, sku selected);
    `consumed` maps a skuId to the number of its licenses assigned in the organization."""
    by_sku = defaultdict(list)
    for subscription in subscriptions:
        by_sku[subscription.sku_id].append(subscription)
    shapes = []
    for sku_id, held in by_sku.items():
        sku = held[0].sku
        units = defaultdict(int)
        for subscription in held:
            units[subscription.status] += subscription.quantity
        status = next((label for code, label in _CAPABILITY_ORDER if any(s.status == code for s in held)), "Deleted")
        applies_to = "Company" if sku.is_add_on else "User"  # add-ons: units of the organization, never assigned
        shapes.append({
            "id": f"{tenant_id}_{sku_id}",
            "skuId": str(sku_id),
            "skuPartNumber": sku.part_number,
            "appliesTo": applies_to,
            "capabilityStatus": status,
            "consumedUnits": consumed.get(sku_id, 0),
            "prepaidUnits": {"enabled": units["enabled"], "suspended": units["suspended"],
                             "warning": units["warning"], "lockedOut": 0},
            "servicePlans": [{"servicePlanId": plan["servicePlanId"], "servicePlanName": plan["servicePlanName"],
                              "provisioningStatus": "Success", "appliesTo": applies_to} for plan in sku.service_plans],
            "subscriptionIds": [str(subscription.pk) for subscription in held],
        })
    return sorted(shapes, key=lambda shape: shape["skuPartNumber"])

"""Graph's license routes of a user: POST /v1.0/users/{id}/assignLicense and GET /v1.0/users/{id}/licenseDetails;
users.api mounts this router. Assigning goes through users.licenses, the race-free license service."""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from ninja import Router
from pydantic import Field

from billing.models import Sku, Subscription
from tenantadmin.api.errors import GraphError
from tenantadmin.api.shapes import GraphInput, GraphSchema, graph_openapi, odata_context, odata_entity
from tenantadmin.roles import Perm
from users.api_deleted_items import READ, live_user, require, with_licenses
from users.api_shapes import GraphUser, user_shape
from users.license_status import ENABLED, WARNING, LicenseStatus, license_statuses
from users.licenses import NoFreeLicenses, licenses_change
from users.models import User
from users.services.roles import can_manage

router = Router(tags=["Users"], by_alias=True)

# Graph: LicenseAssignment.ReadWrite.All is not offered here; User.ReadWrite.All (or Directory.ReadWrite.All,
# which implies it) allows license changes, as it does in Graph.
ASSIGN = ("User.ReadWrite.All",)
# Graph's own wording, which scripts match on.
INVALID_LOCATION = "License assignment cannot be done for user with invalid usage location."


class AddLicense(GraphInput):
    sku_id: uuid.UUID
    disabled_plans: list[uuid.UUID] = Field(default_factory=list)


class AssignLicense(GraphInput):
    add_licenses: list[AddLicense]
    remove_licenses: list[uuid.UUID]


class ServicePlanDetail(GraphSchema):
    service_plan_id: str
    service_plan_name: str
    provisioning_status: str
    applies_to: str


class LicenseDetail(GraphSchema):
    id: str
    sku_id: str
    sku_part_number: str
    service_plans: list[ServicePlanDetail]


def _skus(request, sku_ids, *, must_be_subscribed: bool) -> dict:
    """{sku id: Sku} for plans the organization subscribes to (adding) or knows (removing); else a 400."""
    wanted = set(sku_ids)
    skus = Sku.objects.filter(pk__in=wanted)
    if must_be_subscribed:
        skus = skus.filter(pk__in=Subscription.objects.filter(tenant=request.tenant).values("sku_id"))
    found = {sku.pk: sku for sku in skus}
    missing = sorted(str(sku_id) for sku_id in wanted - set(found))
    if missing:
        raise GraphError(400, "Request_BadRequest",
                         f"License {missing[0]} does not correspond to a valid company License.")
    if must_be_subscribed:
        add_ons = sorted(str(sku.pk) for sku in found.values() if sku.is_add_on)
        if add_ons:
            # subscribedSku.appliesTo "Company": the organization holds it; it is nobody's license.
            raise GraphError(400, "Request_BadRequest", f"License {add_ons[0]} applies to the company and cannot be "
                             "assigned to a user.")
    return found


@router.post("/users/{user_id}/assignLicense", response=GraphUser, summary="Assign or remove licenses",
             openapi_extra=graph_openapi())
def assign_license(request, user_id: str, payload: AssignLicense):
    """Adds `addLicenses` (skuId, disabledPlans: service plans switched off) and removes `removeLicenses`
    (skuIds) in one go, all or nothing; both are required (send [] for none). An assigned plan named again
    gets its disabledPlans replaced. Answers the user. 400 when the user has no usage location, when a plan
    has no free license, for a skuId the organization does not subscribe to, or for an add-on (appliesTo
    "Company": held by the organization, never by a user). Permissions:
    User.ReadWrite.All, or a person's token whose role assigns licenses (administrators' licenses: a global
    administrator only)."""
    require(request, ASSIGN, Perm.LICENSES_WRITE)
    user = live_user(request, user_id)
    if request.api_user is not None and not can_manage(request.actor, user):
        raise PermissionDenied
    add = _skus(request, [item.sku_id for item in payload.add_licenses], must_be_subscribed=True)
    remove = _skus(request, payload.remove_licenses, must_be_subscribed=False)
    both = set(add) & set(remove)
    if both:
        raise GraphError(400, "Request_BadRequest", f"License {sorted(map(str, both))[0]} cannot be both added and "
                         "removed.")
    disabled = {item.sku_id: [str(plan) for plan in item.disabled_plans] for item in payload.add_licenses}
    try:
        licenses_change(user=user, actor=request.actor, add=[add[item.sku_id] for item in payload.add_licenses],
                        remove=list(remove.values()), disabled_plans=disabled)
    except NoFreeLicenses as error:
        raise GraphError(400, "Request_BadRequest", f"Subscription with SKU {error.sku.pk} "
                         f"({error.sku.part_number}) does not have any available licenses.") from None
    except ValidationError as error:
        if error.code == "usage_location_required":
            raise GraphError(400, "Request_BadRequest", INVALID_LOCATION) from None
        raise GraphError(400, "Request_BadRequest", " ".join(error.messages)) from None
    return odata_entity("users", user_shape(with_licenses(User.objects).get(pk=user.pk)), None)


def license_detail_shape(status: LicenseStatus) -> dict:
    """Graph's licenseDetails of one license: a service plan is "Disabled" when it is switched off for the user or
    when the plan's subscriptions are all disabled or deleted (the user has lost the service), else "Success"."""
    assignment = status.assignment
    sku = assignment.sku
    names = {plan["servicePlanId"]: plan["servicePlanName"] for plan in sku.service_plans}
    return {
        # Graph's id is opaque; ours is stable per user and plan.
        "id": f"{assignment.user_id}_{sku.pk}",
        "skuId": str(sku.pk),
        "skuPartNumber": sku.part_number,
        "servicePlans": [{"servicePlanId": plan["id"], "servicePlanName": names.get(plan["id"], plan["name"]),
                          "provisioningStatus": "Success" if plan["state"] in (ENABLED, WARNING) else "Disabled",
                          "appliesTo": "User"} for plan in status.plans()],
    }


@router.get("/users/{user_id}/licenseDetails", response=list[LicenseDetail], summary="List a user's license details",
            openapi_extra=graph_openapi())
def license_details(request, user_id: str):
    """The plans the user holds with each service plan's provisioningStatus: Success, or Disabled when the plan is
    switched off for the user or when every subscription of the plan is disabled or deleted (the service is gone;
    a subscription in its grace period still gives it). Permissions: User.Read.All (or broader), or a person's
    token whose role views users."""
    require(request, READ, Perm.USERS_READ)
    user = live_user(request, user_id)
    held = user.licenses.select_related("sku").order_by("sku__name", "pk")
    statuses = license_statuses(tenant=request.tenant, assignments=held)
    return JsonResponse({"@odata.context": odata_context(f"users('{user.pk}')/licenseDetails"),
                         "value": [license_detail_shape(status) for status in statuses]})

"""/v1.0/tenantadmin/serviceSettings: organization-wide service settings (an extension; Graph has none)."""

from django.http import HttpResponse
from ninja import Router
from pydantic import StrictBool, StrictInt

from tenantadmin.api.auth import require_any
from tenantadmin.api.shapes import GraphInput, GraphSchema, graph_openapi, odata_entity
from tenantadmin.models import ServiceSettings
from tenantadmin.services.organization import SERVICE_SETTING_FIELDS, service_settings_update

router = Router(tags=["Service settings (tenantadmin extension)"], by_alias=True)

READ = "Organization.Read.All"
WRITE = "Organization.ReadWrite.All"
NAME = "tenantadmin/serviceSettings"


class ServiceSettingsOut(GraphSchema):
    calendar_publishing_enabled: bool
    mobile_email_enabled: bool
    device_password_required: bool
    device_password_min_length: int
    device_password_alphanumeric: bool
    device_inactivity_lock_minutes: int
    device_wipe_after_failures: int
    lync_mobile_push_enabled: bool


class ServiceSettingsPatch(GraphInput):
    # Strict: "true" or 1 for a switch is a client bug worth reporting, not a value to guess at.
    calendar_publishing_enabled: StrictBool | None = None
    mobile_email_enabled: StrictBool | None = None
    device_password_required: StrictBool | None = None
    device_password_min_length: StrictInt | None = None
    device_password_alphanumeric: StrictBool | None = None
    device_inactivity_lock_minutes: StrictInt | None = None
    device_wipe_after_failures: StrictInt | None = None
    lync_mobile_push_enabled: StrictBool | None = None


def serialize(current: ServiceSettings) -> dict:
    return ServiceSettingsOut.model_validate(
        {name: getattr(current, name) for name in SERVICE_SETTING_FIELDS}
    ).model_dump(by_alias=True)


@router.get("/tenantadmin/serviceSettings", response=ServiceSettingsOut, summary="Get the service settings",
            openapi_extra=graph_openapi())
def service_settings_get(request):
    """Permissions: Organization.Read.All (or a broader one)."""
    require_any(request, READ)
    return odata_entity(NAME, serialize(ServiceSettings.objects.get(tenant=request.tenant)), None)


@router.patch("/tenantadmin/serviceSettings", response={204: None}, summary="Update the service settings",
              openapi_extra=graph_openapi())
def service_settings_patch(request, payload: ServiceSettingsPatch):
    """Permissions: Organization.ReadWrite.All. Bounds: devicePasswordMinLength 4–16,
    deviceInactivityLockMinutes 1–60, deviceWipeAfterFailures 4–16."""
    require_any(request, WRITE)
    service_settings_update(tenant=request.tenant, actor=request.actor, **payload.model_dump(exclude_unset=True))
    return HttpResponse(status=204)

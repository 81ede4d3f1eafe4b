"""/v1.0/tenantadmin/serviceSettings: the organization-wide service settings extension."""

import pytest

from tenantadmin.models import AuditEvent, ServiceSettings
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for

SETTINGS = "/v1.0/tenantadmin/serviceSettings"


@pytest.fixture
def writer(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["Organization.ReadWrite.All"]))


def test_get_returns_every_setting_in_camel_case(client, org_a, settings):
    api = Api(client, token_for(client, org_a.tenant, ["Organization.Read.All"]))
    body = api.get(SETTINGS).json()
    assert body == {
        "@odata.context": f"{settings.PUBLIC_URL}/v1.0/$metadata#tenantadmin/serviceSettings/$entity",
        "calendarPublishingEnabled": True, "mobileEmailEnabled": True, "devicePasswordRequired": False,
        "devicePasswordMinLength": 4, "devicePasswordAlphanumeric": False, "deviceInactivityLockMinutes": 15,
        "deviceWipeAfterFailures": 10, "lyncMobilePushEnabled": True,
    }


def test_patch_changes_only_what_is_sent_and_audits(writer, org_a):
    response = writer.patch(SETTINGS, {"devicePasswordRequired": True, "devicePasswordMinLength": 8})

    assert response.status_code == 204
    current = ServiceSettings.objects.get(tenant=org_a.tenant)
    assert (current.device_password_required, current.device_password_min_length) == (True, 8)
    assert current.device_inactivity_lock_minutes == 15
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="service_settings.update")
    assert event.actor_type == "app"
    assert event.changes["device_password_min_length"] == [4, 8]


@pytest.mark.parametrize(("body", "named"), [
    ({"devicePasswordMinLength": 3}, "devicePasswordMinLength"),
    ({"deviceInactivityLockMinutes": 61}, "deviceInactivityLockMinutes"),
    ({"deviceWipeAfterFailures": 99999}, "deviceWipeAfterFailures"),
    ({"mobileEmailEnabled": "yes"}, "mobileEmailEnabled"),
    ({"mobileEmailEnabled": 1}, "mobileEmailEnabled"),
    ({"darkMode": True}, "darkMode"),
])
def test_patch_rejects_bad_values_naming_the_setting(writer, org_a, body, named):
    error = assert_graph_error(writer.patch(SETTINGS, body), 400, "BadRequest")
    assert named in error["message"]
    assert not AuditEvent.objects.filter(tenant=org_a.tenant, action="service_settings.update").exists()


def test_patch_needs_the_write_permission(client, org_a):
    api = Api(client, token_for(client, org_a.tenant, ["Organization.Read.All"]))
    assert_graph_error(api.patch(SETTINGS, {"mobileEmailEnabled": False}), 403, "Authorization_RequestDenied")
    assert ServiceSettings.objects.get(tenant=org_a.tenant).mobile_email_enabled is True


def test_each_tenant_sees_and_changes_only_its_own(client, org_a, org_b):
    api_b = Api(client, token_for(client, org_b.tenant, ["Organization.ReadWrite.All"]))
    assert api_b.patch(SETTINGS, {"calendarPublishingEnabled": False}).status_code == 204
    assert ServiceSettings.objects.get(tenant=org_a.tenant).calendar_publishing_enabled is True
    assert ServiceSettings.objects.get(tenant=org_b.tenant).calendar_publishing_enabled is False

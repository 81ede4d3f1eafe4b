"""Service settings: device password options only count while a password is required; bounds hold."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from tenantadmin.models import AuditEvent, ServiceSettings

pytestmark = pytest.mark.django_db

PAGE = reverse("tenantadmin:service_settings")
BOOLEANS = ("calendar_publishing_enabled", "mobile_email_enabled", "device_password_required",
            "device_password_alphanumeric", "lync_mobile_push_enabled")


def stored(tenant) -> dict:
    return model_to_dict(ServiceSettings.objects.get(tenant=tenant), exclude=["tenant"])


def form_post(tenant, **overrides) -> dict:
    """What the browser sends for the current settings with `overrides` (an unticked box is absent)."""
    values = {**stored(tenant), **overrides}
    return {name: ("on" if value is True else value) for name, value in values.items()
            if not (name in BOOLEANS and value is False)}


def update_events(tenant):
    return AuditEvent.objects.filter(tenant=tenant, action="service_settings.update")


def test_page_offers_the_device_password_options(org_a, client_for):
    response = client_for(org_a.global_admin).get(PAGE)

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="device-password-options"' in body
    assert 'data-toggles="device-password-options"' in body


def test_requiring_a_device_password_with_length_8_is_saved_and_audited(org_a, client_for):
    response = client_for(org_a.global_admin).post(PAGE, form_post(
        org_a.tenant, device_password_required=True, device_password_min_length=8))

    assert response.status_code == 302
    assert response.url == PAGE
    settings_row = stored(org_a.tenant)
    assert settings_row["device_password_required"] is True
    assert settings_row["device_password_min_length"] == 8
    event = update_events(org_a.tenant).get()
    assert event.actor == org_a.global_admin
    assert event.changes == {"device_password_required": [False, True], "device_password_min_length": [4, 8]}


def test_unticking_a_box_switches_the_setting_off(org_a, client_for):
    response = client_for(org_a.global_admin).post(PAGE, form_post(org_a.tenant, calendar_publishing_enabled=False))

    assert response.status_code == 302
    assert stored(org_a.tenant)["calendar_publishing_enabled"] is False
    assert update_events(org_a.tenant).get().changes == {"calendar_publishing_enabled": [True, False]}


@pytest.mark.parametrize("field, value", [
    ("device_password_min_length", 3),
    ("device_password_min_length", 17),
    ("device_inactivity_lock_minutes", 0),
    ("device_inactivity_lock_minutes", 61),
    ("device_wipe_after_failures", 3),
    ("device_wipe_after_failures", 17),
])
def test_out_of_range_options_are_refused_while_a_password_is_required(field, value, org_a, client_for):
    before = stored(org_a.tenant)

    response = client_for(org_a.global_admin).post(PAGE, form_post(
        org_a.tenant, device_password_required=True, **{field: value}))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert stored(org_a.tenant) == before
    assert not update_events(org_a.tenant).exists()


def test_options_of_a_switched_off_requirement_are_ignored_and_kept(org_a, client_for):
    client = client_for(org_a.global_admin)
    client.post(PAGE, form_post(org_a.tenant, device_password_required=True, device_password_min_length=8,
                                device_inactivity_lock_minutes=5, device_wipe_after_failures=6))

    response = client.post(PAGE, form_post(
        org_a.tenant, device_password_required=False, device_password_min_length=3,
        device_inactivity_lock_minutes=61, device_wipe_after_failures=17))

    assert response.status_code == 302
    settings_row = stored(org_a.tenant)
    assert settings_row["device_password_required"] is False
    assert (settings_row["device_password_min_length"], settings_row["device_inactivity_lock_minutes"],
            settings_row["device_wipe_after_failures"]) == (8, 5, 6)
    assert update_events(org_a.tenant).order_by("-id").first().changes == {"device_password_required": [True, False]}

    # Ticking the box again on the page brings back the options as they were.
    form = client.get(PAGE).context["form"]
    assert form["device_password_min_length"].value() == 8
    client.post(PAGE, form_post(org_a.tenant, device_password_required=True))
    assert stored(org_a.tenant)["device_password_required"] is True
    assert stored(org_a.tenant)["device_password_min_length"] == 8


def test_billing_admin_is_refused(org_a, client_for):
    client = client_for(org_a.billing_admin)
    before = stored(org_a.tenant)

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, form_post(org_a.tenant, mobile_email_enabled=False)).status_code == 403
    assert stored(org_a.tenant) == before


def test_service_admin_opens_and_saves_the_settings(org_a, client_for):
    client = client_for(org_a.service_admin)

    assert client.get(PAGE).status_code == 200
    response = client.post(PAGE, form_post(org_a.tenant, lync_mobile_push_enabled=False))

    assert response.status_code == 302
    assert stored(org_a.tenant)["lync_mobile_push_enabled"] is False
    assert update_events(org_a.tenant).get().actor == org_a.service_admin


def test_saving_changes_only_the_own_organization(org_a, org_b, client_for):
    before_b = stored(org_b.tenant)

    client_for(org_a.global_admin).post(PAGE, form_post(org_a.tenant, mobile_email_enabled=False))

    assert stored(org_a.tenant)["mobile_email_enabled"] is False
    assert stored(org_b.tenant) == before_b

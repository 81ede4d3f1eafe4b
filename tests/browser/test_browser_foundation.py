"""Browser journeys in real headless Chromium: sign up, land on the overview, edit the profile."""

import pytest
from captcha.models import CaptchaStore

from billing.catalog import ensure_default_plans
from billing.models import Sku

from tenantadmin.models import AuditEvent, Tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_in_the_browser_then_edit_the_organization_profile(page, screenshot, live_server):
    ensure_default_plans(Sku)  # a transactional test before this one may have emptied the tables
    page.goto("/signup/")
    page.get_by_label("Office 365 Enterprise E3").check()
    page.fill("#id_first_name", "Ada")
    page.fill("#id_last_name", "Lovelace")
    page.fill("#id_organization_name", "Northwind Traders")
    page.select_option("#id_country", "DE")
    page.select_option("#id_preferred_language", "de")
    page.fill("#id_alternate_email", "ada@example.net")
    page.fill("#id_initial_domain", "northwind")
    # The live availability check answers while typing (htmx).
    page.wait_for_selector("#domain-status[data-available='true']")
    page.fill("#id_alias", "ada")
    page.fill("#id_password", "Analytic#Engine1")
    page.fill("#id_password_confirm", "Analytic#Engine1")
    key = page.input_value("input[name='captcha_0']")
    page.fill("input[name='captcha_1']", CaptchaStore.objects.get(hashkey=key).response)
    page.check("#id_accept_agreement")
    screenshot("signup")
    page.click("#submit-id-submit")

    page.wait_for_url("**/admin/")
    assert page.is_visible("#quick-start-domain") and page.is_visible("#quick-start-users")
    assert "Ada Lovelace" in page.inner_text("header")
    screenshot("overview")

    page.click("text=Organization profile")
    page.wait_for_url("**/admin/organization/")
    screenshot("organization-profile")
    page.click("#edit-organization")
    page.fill("#id_phone", "+49 30 1234567")
    page.fill("#id_city", "Berlin")
    page.click("#submit-id-submit")
    page.wait_for_url("**/admin/organization/")
    assert "+49 30 1234567" in page.content()
    tenant = Tenant.objects.get(initial_domain="northwind.tenantadmin.example")
    assert tenant.city == "Berlin"
    assert AuditEvent.objects.filter(tenant=tenant, action="organization.update").exists()

    page.click("#account-menu")
    page.click("#sign-out")
    page.wait_for_url("**/signin/")


def test_service_settings_reveal_device_options_only_when_a_password_is_required(page, screenshot, live_server, org_a,
                                                                                password):
    page.goto("/signin/")
    page.fill("#id_username", org_a.global_admin.upn)
    page.fill("#id_password", password)
    page.click("#signin-form button[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto("/admin/service-settings/")
    assert not page.is_visible("#device-password-options")
    page.check("#id_device_password_required")
    assert page.is_visible("#device-password-options")
    page.fill("#id_device_password_min_length", "8")
    screenshot("service-settings")
    page.click("#submit-id-submit")
    page.wait_for_selector(".alert-success")
    settings_row = org_a.tenant.service_settings
    settings_row.refresh_from_db()
    assert settings_row.device_password_required and settings_row.device_password_min_length == 8

    # The change is in the audit log, and an export runs as a job with a progress bar to a download.
    page.goto("/admin/audit/")
    assert "service_settings.update" in page.inner_text("table")
    screenshot("audit-log")
    page.click("#export-audit")
    page.wait_for_selector("#job-download")
    assert "Completed" in page.inner_text(".job-progress")

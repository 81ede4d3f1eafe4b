"""The Support area in real headless Chromium: an admin opens a service request with an attachment and sees it in
the list; the service health grid shows an open incident and opens it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from support.models_requests import ServiceRequest
from tests.factories import PASSWORD, make_tenant
from tests.support.healthhelpers import incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, upn):
    page.goto("/signin/")
    page.fill("#id_username", upn)
    page.fill("#id_password", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_url("**/admin/")


def test_open_a_service_request_with_a_file(page, screenshot, tmp_path):
    tenant, admin = make_tenant("browsersupport", name="Adventure Works")
    sign_in(page, admin.upn)
    page.goto("/admin/support/requests/")
    page.click("#new-request")
    page.fill("#id_title", "Enable POP access for all mailboxes")
    page.fill("#id_description", "Our scanners send mail over POP; please enable it for every mailbox.")
    notes = tmp_path / "mailboxes.csv"
    notes.write_text("mailbox\nscanner@adventure.example\n", encoding="utf-8")
    page.set_input_files("#request-form input[type=file]", str(notes))
    page.click("#request-form button[type=submit]")
    page.wait_for_selector("#request-summary")
    assert "mailboxes.csv" in page.inner_text("main")
    screenshot("service-request")
    request = ServiceRequest.objects.get(tenant=tenant)
    assert request.title == "Enable POP access for all mailboxes"
    page.goto("/admin/support/requests/")
    assert "Enable POP access for all mailboxes" in page.inner_text("#service-requests")


def test_service_health_shows_an_open_incident(page, screenshot):
    tenant, admin = make_tenant("browserhealth", name="Adventure Works")
    incident(service="exchange", component="delivery", started_at=timezone.now() - timedelta(hours=2),
             title="Mail delivery delayed", updates=[(timezone.now() - timedelta(hours=1), "We are rerouting traffic.")])
    sign_in(page, admin.upn)
    page.goto("/admin/support/health/")
    assert "Mail delivery delayed" in page.inner_text("main")
    screenshot("service-health")

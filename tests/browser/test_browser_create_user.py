"""Browser journey in real headless Chromium: an admin creates a user with a license through the wizard, reads the
temporary password once, and the new person signs in with it and must change it first."""

import pytest

from billing.models import Sku
from tests.factories import PASSWORD, make_tenant
from users.models import LicenseAssignment, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, upn, password):
    page.goto("/signin/")
    page.fill("#id_username", upn)
    page.fill("#id_password", password)
    page.click("#signin-form button[type=submit]")


def test_admin_creates_a_licensed_user_and_the_user_signs_in(page, screenshot):
    tenant, admin = make_tenant("northwind", name="Northwind")
    sign_in(page, admin.upn, PASSWORD)
    page.wait_for_url("**/admin/")
    page.goto("/admin/users/")
    page.click("#add-user")
    page.wait_for_url("**/admin/users/new/details/")
    assert "1" in page.inner_text("#step-details")
    page.fill("#id_first_name", "Megan")
    page.fill("#id_last_name", "Bowen")
    page.fill("#id_display_name", "Megan Bowen")
    page.fill("#id_alias", "megan")
    page.click("#additional-details summary")
    page.fill("#id_job_title", "Marketing manager")
    page.click("#wizard-next")
    page.wait_for_url("**/new/settings/")
    page.select_option("#id_usage_location", "NL")
    page.click("#wizard-next")
    page.wait_for_url("**/new/licenses/")
    page.check("#sku-ENTERPRISEPACK")
    screenshot("create-user-licenses")
    page.click("#wizard-back")  # Back keeps the answers
    page.wait_for_url("**/new/settings/")
    assert page.input_value("#id_usage_location") == "NL"
    page.click("#wizard-next")
    page.wait_for_url("**/new/licenses/")
    assert page.is_checked("#sku-ENTERPRISEPACK")
    page.click("#wizard-next")
    page.wait_for_url("**/new/send/")
    assert "megan@northwind." in page.inner_text("#create-summary")
    assert not User.objects.filter(upn__startswith="megan@").exists()
    page.click("#wizard-next")
    page.wait_for_url("**/new/results/")
    temporary = page.inner_text("#temporary-password").strip()
    assert len(temporary) == 12 and temporary not in page.url
    assert "Office 365 Enterprise E3" in page.inner_text("#new-licenses")
    screenshot("create-user-results")
    page.reload()
    assert not page.is_visible("#temporary-password") and page.is_visible("#temporary-password-gone")

    person = User.objects.get(upn=f"megan@{tenant.initial_domain}")
    assert person.job_title == "Marketing manager"
    assert LicenseAssignment.objects.filter(user=person, sku=Sku.objects.get(part_number="ENTERPRISEPACK")).exists()
    page.click("#account-menu")
    page.click("#sign-out")
    page.wait_for_url("**/signin/")
    sign_in(page, person.upn, temporary)
    page.wait_for_url("**/password/change/")
    assert "Your password is temporary" in page.inner_text("#password-change-reason")

"""Browser journey in real headless Chromium: an admin resets a password, the person signs in with the
temporary one, is forced to change it, and reaches the overview."""

import pytest

from tenantadmin.roles import Role
from tests.factories import PASSWORD, make_tenant, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, upn, password):
    page.goto("/signin/")
    page.fill("#id_username", upn)
    page.fill("#id_password", password)
    page.click("#signin-form button[type=submit]")


def test_temporary_password_forces_a_change_before_the_overview(page, screenshot, live_server):
    tenant, admin = make_tenant("fabrikam", name="Fabrikam")
    person = make_user(tenant, "megan", display_name="Megan Bowen", roles=[Role.USER_ADMIN])

    sign_in(page, admin.upn, PASSWORD)
    page.wait_for_url("**/admin/")
    page.goto(f"/admin/users/{person.pk}/reset-password/")
    assert "Megan Bowen" in page.inner_text("h1")
    page.click("#submit-id-submit")
    page.wait_for_url(f"**/admin/users/{person.pk}/reset-password/done/")
    temporary = page.inner_text("#temporary-password").strip()
    assert len(temporary) == 12
    page.reload()
    assert not page.is_visible("#temporary-password")  # shown once
    page.click("#account-menu")
    page.click("#sign-out")
    page.wait_for_url("**/signin/")

    sign_in(page, person.upn, temporary)
    page.wait_for_url("**/password/change/")
    assert "Your password is temporary" in page.inner_text("#password-change-reason")
    page.goto("/admin/")  # nothing else opens before the change
    page.wait_for_url("**/password/change/?next=%2Fadmin%2F")
    page.fill("#id_current_password", temporary)
    page.fill("#id_new_password", "Fresh#Start#77")
    page.fill("#id_confirm_password", "Fresh#Start#78")
    screenshot("change-password")
    page.click("#submit-id-submit")
    assert "The passwords do not match." in page.inner_text("#password-change-form")
    page.fill("#id_current_password", temporary)
    page.fill("#id_new_password", "Fresh#Start#77")
    page.fill("#id_confirm_password", "Fresh#Start#77")
    page.click("#submit-id-submit")
    page.wait_for_url("**/admin/")
    assert "Your password was changed." in page.inner_text(".alert-success")
    assert "Megan Bowen" in page.inner_text("header")
    person.refresh_from_db()
    assert not person.must_change_password and person.check_password("Fresh#Start#77")

"""Browser journey in real headless Chromium: an admin deletes a user from the user's page (confirming what is
lost), finds them on the Deleted users tab, and restores them with their license."""

import pytest

from tests.factories import PASSWORD, make_tenant
from tests.users.lifecycle_helpers import licensed_user, plan_with_units
from users.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_delete_then_restore_from_deleted_users(page, screenshot, live_server):
    tenant, admin = make_tenant("northwind", name="Northwind")
    sku = plan_with_units(tenant, 5)
    person = licensed_user(tenant, sku, "adele", display_name="Adele Vance")

    page.goto("/signin/")
    page.fill("#id_username", admin.upn)
    page.fill("#id_password", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_url("**/admin/")

    page.goto(f"/admin/users/{person.pk}/")
    page.click("#delete-user")
    page.wait_for_url(f"**/admin/users/{person.pk}/delete/")
    consequences = page.inner_text("#delete-consequences")
    assert "Sign-in ends at once" in consequences and sku.name in consequences and "30 days" in consequences
    screenshot("delete-user-confirm")
    page.click("#confirm-delete")
    page.wait_for_url("**/admin/users/?view=deleted")
    assert "Adele Vance was deleted" in page.inner_text(".alert-success")
    assert "Adele Vance" in page.inner_text("#users-table")
    screenshot("deleted-users")

    page.click(f"#restore-{person.pk}")
    page.wait_for_url(f"**/admin/users/{person.pk}/restore/")
    assert page.is_checked(f"#license-{sku.pk}")
    page.click("#confirm-restore")
    page.wait_for_selector("#temporary-password")
    temporary = page.inner_text("#temporary-password").strip()
    assert sku.name in page.inner_text("#restored-licenses")
    screenshot("user-restored")

    person = User.objects.get(pk=person.pk)
    assert person.deleted_at is None and person.check_password(temporary) and person.licenses.count() == 1
    page.goto("/admin/users/")
    assert "Adele Vance" in page.inner_text("#users-table")

"""Security groups and custom views in real headless Chromium: create a group, add a member, save a custom view
of that group's members and see it applied on the Users page."""

import pytest

from tests.factories import PASSWORD, make_tenant, make_user
from users.models import CustomView, SecurityGroup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_group_members_and_a_custom_view_of_them(page, screenshot):
    tenant, admin = make_tenant("groupsorg")
    pat = make_user(tenant, "pat", display_name="Pat Seller")
    make_user(tenant, "quinn", display_name="Quinn Other")

    page.goto("/signin/")
    page.fill("#id_username", admin.upn)
    page.fill("#id_password", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_url("**/admin/")

    page.click("nav.sidebar >> text=Security groups")
    page.click("#new-group")
    page.fill("#id_display_name", "Sellers")
    page.fill("#id_description", "Everyone who sells")
    page.click("#group-form [type=submit]")
    page.wait_for_selector("#candidates-filter")

    page.fill("#id_q", "pat")
    page.click("#find-users")
    page.check(f"#candidate-{pat.pk}")
    screenshot("group-add-members")
    page.click("#add-selected")
    page.wait_for_selector(".alert-success")
    assert "Pat Seller" in page.inner_text("#members-table")
    assert "Quinn" not in page.inner_text("#members-table")
    screenshot("group-members")

    group = SecurityGroup.objects.get(tenant=tenant)
    page.goto("/admin/users/")
    page.click("#manage-views")
    page.click("#new-view")
    page.fill("#id_name", "Sellers only")
    page.select_option("#id_group", str(group.pk))
    page.click("#custom-view-form [type=submit]")
    page.wait_for_selector("#users-table")

    view = CustomView.objects.get(tenant=tenant)
    assert page.locator("#id_view").input_value() == str(view.pk)
    rows = page.inner_text("#users-table tbody")
    assert "Pat Seller" in rows and "Quinn" not in rows and "Grace" not in rows
    assert "Member of: Sellers" in page.inner_text("#view-help")
    screenshot("users-custom-view")

    # Removing asks first; once confirmed the member is gone and the custom view shows nobody.
    page.goto(f"/admin/groups/{group.pk}/")
    page.check(f"input[name=ids][value='{pat.pk}']")
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.click("#remove-members")
    page.wait_for_selector("#members-empty")
    assert "will no longer show them" in messages[0]
    page.goto(f"/admin/users/?view={view.pk}")
    assert page.locator("#users-empty").count() == 1

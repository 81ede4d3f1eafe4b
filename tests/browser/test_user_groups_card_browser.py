"""The user detail page's Groups card in real headless Chromium: add a user to two groups, then remove them from
one after the confirmation page; and the Domains page's Health column."""

import pytest

from domains.zones import record_save
from tenantadmin.actors import Actor
from tests.domains.domain_helpers import hosted_domain, verified_domain
from tests.factories import PASSWORD, make_tenant, make_user
from users.group_services import group_create
from users.models import GroupMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTOR = Actor.system("tests")


def sign_in(page, admin):
    page.goto("/signin/")
    page.fill("#id_username", admin.upn)
    page.fill("#id_password", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_url("**/admin/")


def test_add_a_user_to_groups_and_remove_them_from_one(page, screenshot):
    tenant, admin = make_tenant("groupcardorg")
    pat = make_user(tenant, "pat", display_name="Pat Seller")
    sellers = group_create(tenant=tenant, actor=ACTOR, display_name="Sellers", description="Everyone who sells")
    group_create(tenant=tenant, actor=ACTOR, display_name="Support")
    group_create(tenant=tenant, actor=ACTOR, display_name="Finance")

    sign_in(page, admin)
    page.goto(f"/admin/users/{pat.pk}/")
    assert "not a member of any security group" in page.inner_text("#user-groups")
    page.click("#add-to-group")
    page.wait_for_selector("#join-form")
    page.check(f"#group-{sellers.pk}")
    page.check("label:has-text('Support') input")
    screenshot("user-groups-add")
    page.click("#join-selected")
    page.wait_for_selector(".alert-success")
    card = page.inner_text("#user-groups")
    assert "Sellers" in card and "Support" in card and "Finance" not in card
    screenshot("user-groups-card")

    page.click(f"#user-group-{sellers.pk} >> text=Remove")
    page.wait_for_selector("#remove-losses")
    screenshot("user-groups-remove")
    page.click("#confirm-remove")
    page.wait_for_selector(".alert-success")
    assert "Sellers" not in page.inner_text("#user-groups-list")
    assert list(GroupMembership.objects.filter(user=pat).values_list("group__display_name", flat=True)) == ["Support"]


def test_the_domains_page_shows_each_domains_health(page, screenshot):
    tenant, admin = make_tenant("healthorg")
    verified_domain(tenant, "waiting.com")
    hosted, _record = hosted_domain(tenant, "hosted.com")
    conflicted, _record = hosted_domain(tenant, "conflicted.com")
    record_save(domain=conflicted, actor=ACTOR, data={"type": "MX", "name": "@", "value": "mx.elsewhere.example",
                                                      "priority": 10, "ttl": 3600})

    sign_in(page, admin)
    page.goto("/admin/domains/")
    screenshot("domains-health")
    rows = page.locator("#domain-list tbody tr").all()
    health = {row.locator("td").nth(0).inner_text().split()[0]:
              row.locator(".domain-health").get_attribute("data-health") for row in rows}
    assert health == {tenant.initial_domain: "complete", "conflicted.com": "issues", "hosted.com": "complete",
                      "waiting.com": "incomplete"}
    page.click("[data-health=issues] a")
    page.wait_for_url("**/admin/domains/conflicted.com/dns/")

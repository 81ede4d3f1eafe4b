"""Delegated administration in real headless Chromium: a partner invites, the customer's global admin accepts on
the authorization page, the partner manages the customer under a banner and returns."""

import pytest

from tests.billing.partnerhelpers import partner_org
from tests.factories import PASSWORD, make_tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, upn):
    page.fill("#id_username", upn)
    page.fill("#id_password", PASSWORD)
    page.click("#signin-form button[type=submit]")


def test_invite_accept_manage_and_return(browser, live_server, page, screenshot):
    partner = partner_org("browserpartner", name="Fabrikam Partners")
    customer, customer_admin = make_tenant("browsercustomer", name="Northwind Traders")

    page.goto("/signin/")
    sign_in(page, partner["global_admin"].upn)
    page.wait_for_url("**/admin/")
    assert "Customers" in page.inner_text("nav.sidebar")
    page.goto("/admin/partner/invitations/")
    page.fill("#id_email", "it@northwind.example")
    page.fill("#id_message", "We will look after your accounts.")
    page.click("#send-invitation")
    page.wait_for_selector("#new-invitation-link")
    link = page.inner_text("#invitation-link-value").strip()
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    screenshot("partner-invitations")

    other = browser.new_context(viewport={"width": 1360, "height": 900}, base_url=live_server.url)
    customer_page = other.new_page()
    customer_page.goto(path)
    assert "Fabrikam Partners asks to become a delegated administrator" in customer_page.inner_text("main")
    customer_page.click("#sign-in-to-answer")
    sign_in(customer_page, customer_admin.upn)
    customer_page.wait_for_selector("#accept-invitation")
    assert "of Northwind Traders" in customer_page.inner_text("#invitation-request")
    customer_page.click("#accept-invitation")
    customer_page.wait_for_url("**/admin/support/delegated-administrators/")
    assert "Fabrikam Partners" in customer_page.inner_text("#delegated-admin-list")
    other.close()

    page.goto("/admin/partner/customers/")
    page.click(f"button[data-customer='{customer.pk}']")
    page.wait_for_selector("#delegation-banner")
    assert "You are managing Northwind Traders as delegated administrator for Fabrikam Partners." in " ".join(
        page.inner_text("#delegation-banner").split())
    page.goto("/admin/users/")
    assert customer_admin.upn in page.inner_text("main")
    screenshot("partner-managing-customer")
    page.click("#return-to-partner")
    page.wait_for_url("**/admin/partner/customers/")
    assert page.locator("#delegation-banner").count() == 0

"""Browser journey in real headless Chromium: an admin adds a domain from the overview's quick start,
reads the TXT record to create, verifies it against a real (loopback) DNS server and makes it the default."""

import pytest

from domains.models import Domain
from tests.dns_server import DnsServer
from tests.factories import PASSWORD, make_tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dns_server(settings):
    server = DnsServer().start()
    settings.DNS_NAMESERVERS = [("127.0.0.1", server.port)]
    settings.DNS_TIMEOUT_SECONDS = 1
    yield server
    server.stop()


def test_add_verify_and_make_default(page, screenshot, live_server, dns_server):
    tenant, admin = make_tenant("northwind", name="Northwind")
    page.goto("/signin/")
    page.fill("#id_username", admin.upn)
    page.fill("#id_password", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_url("**/admin/")
    page.click("#quick-start-domain")
    page.wait_for_url("**/admin/domains/add/")
    page.fill("#id_name", "co.uk")
    page.click("#submit-id-submit")
    assert "public suffix" in page.inner_text("#add-domain")
    page.fill("#id_name", "Northwind-Traders.com")
    page.click("#submit-id-submit")
    page.wait_for_url("**/admin/domains/northwind-traders.com/")
    value = page.inner_text("#verification-record code.user-select-all").strip()
    assert value == "MS=" + Domain.objects.get(name="northwind-traders.com").verification_code
    page.select_option("#dns-host", "godaddy")
    page.wait_for_url("**host=godaddy**")
    assert "GoDaddy" in page.inner_text("#host-steps")
    screenshot("verify-page")
    page.click("#verify")
    assert "could not verify" in page.inner_text(".alert-warning")
    dns_server.add("northwind-traders.com", "TXT", value)
    page.click("#verify")
    assert "is verified" in page.inner_text(".alert-success")
    page.click("#set-default")
    assert "default domain" in page.inner_text(".alert-success")
    tenant.refresh_from_db()
    assert tenant.default_domain == "northwind-traders.com"

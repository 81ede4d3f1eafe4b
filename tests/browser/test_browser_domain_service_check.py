"""Browser journey in real headless Chromium: a domain kept at the admin's DNS host reads "Records not checked"
until the admin checks it from the troubleshooter (over a real loopback DNS server); the Domains list then shows
what is wrong, and Setup complete once the record is fixed."""

import pytest
from django.utils import timezone

from domains.dns.records import fqdn, service_records
from domains.models import Domain
from domains.services import domain_add
from tenantadmin.actors import Actor
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


def publish(dns_server, domain, *, leave_out=()):
    for record in service_records(domain):
        if (record["name"], record["type"]) not in leave_out:
            dns_server.add(fqdn(domain.name, record["name"]), record["type"], record["value"],
                           priority=record["priority"] or 0, weight=record["weight"] or 0, port=record["port"] or 0)


def test_check_now_updates_the_health_column(page, screenshot, live_server, dns_server):
    tenant, admin = make_tenant("northwind", name="Northwind")
    domain = domain_add(tenant=tenant, actor=Actor.system("tests"), name="northwind-traders.com")
    Domain.objects.filter(pk=domain.pk).update(verified_at=timezone.now(), status=Domain.Status.VERIFIED,
                                               next_check_at=None, hosting=Domain.Hosting.NO_NS_SWITCH)
    domain.refresh_from_db()
    publish(dns_server, domain, leave_out={("@", "MX")})

    page.goto("/signin/")
    page.fill("#id_username", admin.upn)
    page.fill("#id_password", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto("/admin/domains/")
    page.click("[data-health=not_checked] a")
    page.wait_for_url("**/troubleshoot/?stage=services")
    page.click("#check-services")
    page.wait_for_url("**/troubleshoot/check/")
    assert "We found problems" in page.inner_text(".alert-danger")
    screenshot("domain-check-now")

    page.goto("/admin/domains/")
    cell = page.inner_text("[data-health=issues]")
    assert "Possible service issues" in cell and "The MX record northwind-traders.com is missing." in cell
    screenshot("domain-health-issues")

    dns_server.clear()
    publish(dns_server, domain)
    page.click("[data-health=issues] a")
    page.click("#check-services")
    assert "Every record is present and correct" in page.inner_text(".alert-success")
    page.goto("/admin/domains/")
    assert "Setup complete" in page.inner_text(
        "#domain-list tr:has-text('northwind-traders.com') [data-health=complete]")

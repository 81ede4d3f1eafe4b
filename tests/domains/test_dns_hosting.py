"""Hosted DNS: NS delegation detected over live DNS, service records, DNS manager rules, zone export,
website address, and the troubleshooter's plain-language checks."""

import pytest
from django.conf import settings
from django.urls import reverse

from domains.dns.records import service_records
from domains.dns.verification import txt_value
from domains.models import DnsRecord, Domain
from domains.services import domain_add
from domains.tasks import detect_delegations
from domains.troubleshoot import troubleshoot
from domains.zones import website_set
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.domains.domain_helpers import hosted_domain, verified_domain

ACTOR = Actor.system("tests")


def delegate(dns_server, name):
    for ns in settings.OUR_NAME_SERVERS:
        dns_server.add(name, "NS", ns)


def test_delegation_is_detected_and_service_records_created(org_a, dns_server):
    verified_domain(org_a.tenant, "contoso.com")
    verified_domain(org_a.tenant, "fabrikam.com")
    delegate(dns_server, "contoso.com")
    dns_server.add("fabrikam.com", "NS", "ns1.elsewhere.net")
    detect_delegations.delay()
    contoso, fabrikam = Domain.objects.get(name="contoso.com"), Domain.objects.get(name="fabrikam.com")
    assert contoso.hosting == Domain.Hosting.HOSTED and contoso.ns_detected_at
    assert fabrikam.hosting == Domain.Hosting.EXTERNAL
    system = {(r.name, r.type) for r in contoso.dns_records.filter(is_system=True)}
    assert system == {("@", "MX"), ("autodiscover", "CNAME"), ("@", "TXT"), ("_sip._tls", "SRV"),
                      ("_sipfederationtls._tcp", "SRV"), ("sip", "CNAME"), ("lyncdiscover", "CNAME")}
    assert AuditEvent.objects.filter(action="domain.hosted", target_id=str(contoso.pk)).exists()


def test_dns_timeout_during_detection_changes_nothing(org_a, dns_server):
    verified_domain(org_a.tenant, "contoso.com")
    dns_server.timeout("contoso.com")
    detect_delegations.delay()
    assert Domain.objects.get(name="contoso.com").hosting == Domain.Hosting.EXTERNAL


@pytest.mark.parametrize("data, field", [
    ({"type": "CNAME", "name": "sip", "value": "x.fabrikam.com"}, "name"),  # beside the system CNAME
    ({"type": "A", "name": "autodiscover", "value": "192.0.2.1"}, "name"),  # CNAME there
    ({"type": "CNAME", "name": "@", "value": "x.fabrikam.com"}, "name"),
    ({"type": "CNAME", "name": "intranet", "value": "x.fabrikam.com"}, "name"),  # an A is there
    ({"type": "MX", "name": "@", "value": "m.fabrikam.com", "priority": 65536}, "priority"),
    ({"type": "MX", "name": "@", "value": "m.fabrikam.com"}, "priority"),
    ({"type": "A", "name": "www", "value": "300.1.1.1"}, "value"),
    ({"type": "AAAA", "name": "www", "value": "192.0.2.1"}, "value"),
    ({"type": "A", "name": "www", "value": "192.0.2.1", "ttl": 10}, "ttl"),
    ({"type": "A", "name": "www", "value": "192.0.2.1", "ttl": 10**7}, "ttl"),
    ({"type": "A", "name": "bad name!", "value": "192.0.2.1"}, "name"),
    ({"type": "SRV", "name": "sipx", "value": "s.fabrikam.com", "priority": 1, "weight": 1, "port": 5060}, "name"),
    ({"type": "SRV", "name": "_x._tcp", "value": "s.fabrikam.com", "priority": 1, "weight": 1, "port": 0}, "port"),
    ({"type": "TXT", "name": "@", "value": "x" * 2049}, "value"),
    ({"type": "A", "name": "intranet", "value": "192.0.2.10"}, "value"),  # the same record again
])
def test_bad_records_get_a_message_on_the_field_and_change_nothing(org_a, client_for, data, field):
    hosted_domain(org_a.tenant, "contoso.com")
    before = DnsRecord.objects.count()
    form = {"ttl": 3600, **data}
    response = client_for(org_a.global_admin).post(reverse("domains:record_add", args=["contoso.com"]), form)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert DnsRecord.objects.count() == before


def test_custom_records_add_edit_remove_and_audit(org_a, client_for):
    domain, record = hosted_domain(org_a.tenant, "contoso.com")
    client = client_for(org_a.global_admin)
    response = client.post(reverse("domains:record_add", args=["contoso.com"]),
                           {"type": "SRV", "name": "_xmpp._tcp", "value": "chat.fabrikam.com", "priority": 5,
                            "weight": 10, "port": 5269, "ttl": 600})
    assert response.status_code == 302
    client.post(reverse("domains:record_edit", args=["contoso.com", record.pk]),
                {"type": "A", "name": "intranet", "value": "192.0.2.99", "ttl": 300})
    record.refresh_from_db()
    assert record.value == "192.0.2.99" and record.ttl == 300
    change = AuditEvent.objects.get(action="dns_record.change")
    assert change.changes["value"] == ["192.0.2.10", "192.0.2.99"]
    client.post(reverse("domains:record_delete", args=["contoso.com", record.pk]))
    assert not DnsRecord.objects.filter(pk=record.pk).exists()
    assert AuditEvent.objects.filter(action="dns_record.remove").exists()
    assert Domain.objects.get(pk=domain.pk).zone_serial > domain.zone_serial


def test_system_records_cannot_be_edited_or_removed(org_a, client_for):
    domain, _record = hosted_domain(org_a.tenant, "contoso.com")
    system = domain.dns_records.filter(is_system=True).first()
    client = client_for(org_a.global_admin)
    client.post(reverse("domains:record_edit", args=["contoso.com", system.pk]), {"type": "A", "name": "x",
                                                                                  "value": "192.0.2.1", "ttl": 300})
    client.post(reverse("domains:record_delete", args=["contoso.com", system.pk]))
    system.refresh_from_db()
    assert system.is_system and DnsRecord.objects.filter(pk=system.pk).exists()


def test_zone_file_export_is_bind_format(org_a, client_for):
    hosted_domain(org_a.tenant, "contoso.com")
    client = client_for(org_a.global_admin)
    client.post(reverse("domains:record_add", args=["contoso.com"]),
                {"type": "TXT", "name": "long", "value": "a" * 300, "ttl": 3600})
    text = client.get(reverse("domains:zone_export", args=["contoso.com"])).content.decode()
    assert text.startswith("$ORIGIN contoso.com.") and " IN SOA " in text
    assert "intranet 3600 IN A 192.0.2.10" in text and "_sip._tls 3600 IN SRV 100 1 443 " in text
    assert f'long 3600 IN TXT "{"a" * 255}" "{"a" * 45}"' in text


def test_dns_manager_other_tenant_404_and_reader_403(org_a, org_b, client_for):
    _domain, record = hosted_domain(org_a.tenant, "contoso.com")
    assert client_for(org_b.global_admin).get(reverse("domains:dns", args=["contoso.com"])).status_code == 404
    assert client_for(org_b.global_admin).post(
        reverse("domains:record_delete", args=["contoso.com", record.pk])).status_code == 404
    reader = client_for(org_a.user_admin)
    assert reader.get(reverse("domains:dns", args=["contoso.com"])).status_code == 200
    assert reader.post(reverse("domains:record_delete", args=["contoso.com", record.pk])).status_code == 403
    assert DnsRecord.objects.filter(pk=record.pk).exists()


def test_keep_dns_host_mode_shows_required_records(org_a, client_for):
    verified_domain(org_a.tenant, "contoso.com")
    client = client_for(org_a.global_admin)
    client.post(reverse("domains:dns_mode", args=["contoso.com"]), {"mode": "no_ns_switch"})
    assert Domain.objects.get(name="contoso.com").hosting == Domain.Hosting.NO_NS_SWITCH
    page = client.get(reverse("domains:dns", args=["contoso.com"])).content.decode()
    assert "lyncdiscover" in page and "_sipfederationtls._tcp" in page and settings.OUR_NAME_SERVERS[0] in page


def test_one_public_website_change_address_moves_it(org_a):
    first, _ = hosted_domain(org_a.tenant, "contoso.com")
    second = verified_domain(org_a.tenant, "fabrikam.com")
    website_set(domain=first, actor=ACTOR, where="hosted")
    assert first.dns_records.filter(name="www", type="CNAME", is_system=True).exists()
    website_set(domain=second, actor=ACTOR, where="hosted")
    assert Domain.objects.get(pk=first.pk).website == "" and Domain.objects.get(pk=second.pk).website == "hosted"
    assert not first.dns_records.filter(name="www").exists()


def test_website_elsewhere_needs_the_ip_address(org_a, client_for):
    hosted_domain(org_a.tenant, "contoso.com")
    client = client_for(org_a.global_admin)
    response = client.post(reverse("domains:website", args=["contoso.com"]),
                           {"where": "external", "host_name": "site.webhost.net"})
    assert "bare domain" in response.content.decode()
    client.post(reverse("domains:website", args=["contoso.com"]),
                {"where": "external", "ip_address": "203.0.113.7", "host_name": "site.webhost.net"})
    domain = Domain.objects.get(name="contoso.com")
    assert domain.dns_records.filter(name="@", type="A", value="203.0.113.7").exists()
    assert domain.dns_records.filter(name="www", type="CNAME", value="site.webhost.net").exists()


def test_troubleshooter_checks_each_record_in_plain_language(org_a, dns_server, client_for):
    domain = verified_domain(org_a.tenant, "contoso.com")
    Domain.objects.filter(pk=domain.pk).update(hosting=Domain.Hosting.NO_NS_SWITCH)
    domain.refresh_from_db()
    for record in service_records(domain):
        name = "contoso.com" if record["name"] == "@" else f"{record['name']}.contoso.com"
        if record["name"] != "sip":
            dns_server.add(name, record["type"], record["value"], priority=record["priority"] or 0,
                           weight=record["weight"] or 0, port=record["port"] or 0)
    dns_server.add("contoso.com", "MX", "old-mail.fabrikam.com", priority=10)
    checks = {c.title: c for c in troubleshoot(domain, "services")}
    assert checks["CNAME record sip.contoso.com"].state == "problem"
    assert checks["SRV record _sip._tls.contoso.com"].state == "ok"
    assert checks["Other MX records"].state == "problem" and "old-mail.fabrikam.com" in checks["Other MX records"].message
    [ns] = troubleshoot(domain, "nameservers")
    assert ns.state == "expected"
    page = client_for(org_a.global_admin).get(reverse("domains:troubleshoot", args=["contoso.com"]) + "?stage=services")
    assert "Present and correct" in page.content.decode()


def test_troubleshooter_verification_stage_over_dns(org_a, dns_server):
    domain = domain_add(tenant=org_a.tenant, actor=ACTOR, name="contoso.com")
    [check] = troubleshoot(domain, "verification")
    assert check.state == "problem" and txt_value(domain) in check.message
    dns_server.add("contoso.com", "TXT", txt_value(domain))
    [check] = troubleshoot(domain, "verification")
    assert check.state == "ok"
    dns_server.servfail("contoso.com")
    [check] = troubleshoot(domain, "verification")
    assert check.state == "unknown"


def test_initial_domain_has_no_dns_manager_actions(org_a, client_for):
    initial = org_a.tenant.initial_domain
    client = client_for(org_a.global_admin)
    page = client.get(reverse("domains:dns", args=[initial])).content.decode()
    assert 'id="initial-dns"' in page and 'id="add-record"' not in page
    response = client.post(reverse("domains:record_add", args=[initial]),
                           {"type": "A", "name": "www", "value": "192.0.2.1", "ttl": 3600})
    assert response.status_code == 200 and not DnsRecord.objects.filter(domain__name=initial).exists()

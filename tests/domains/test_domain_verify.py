"""Verify button and page, over the loopback DNS server: TXT, MX, failures, the race between tenants."""

import threading

import pytest
from django.core import mail
from django.urls import reverse

from domains.dns.verification import mx_target, txt_value
from domains.models import Domain
from domains.services import DomainTaken, domain_add, domain_verify
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent

ACTOR = Actor.system("tests")


@pytest.fixture
def pending(org_a):
    return domain_add(tenant=org_a.tenant, actor=ACTOR, name="contoso.com")


def test_txt_record_verifies_and_mails_the_global_admins(pending, dns_server, org_a, django_capture_on_commit_callbacks):
    dns_server.add("contoso.com", "TXT", "v=spf1 -all")
    dns_server.add("contoso.com", "TXT", txt_value(pending))
    with django_capture_on_commit_callbacks(execute=True):
        domain, check = domain_verify(domain=pending, actor=ACTOR)
    assert check.found and domain.status == Domain.Status.VERIFIED and domain.verified_at
    assert AuditEvent.objects.filter(action="domain.verify", target_id=str(domain.pk)).exists()
    assert [m.to for m in mail.outbox] == [[org_a.global_admin.alternate_email]]
    assert "contoso.com" in mail.outbox[0].subject


def test_mx_record_verifies(pending, dns_server):
    dns_server.add("contoso.com", "MX", mx_target(pending), priority=32767)
    domain, _check = domain_verify(domain=pending, actor=ACTOR)
    assert domain.verified_at is not None


def test_txt_behind_a_cname_chain_verifies(pending, dns_server):
    dns_server.follow_cnames = False
    dns_server.add("contoso.com", "CNAME", "alias.fabrikam.com")
    dns_server.add("alias.fabrikam.com", "TXT", txt_value(pending))
    assert domain_verify(domain=pending, actor=ACTOR)[0].verified_at is not None


def test_txt_split_in_strings_verifies(pending, dns_server):
    value = txt_value(pending)
    dns_server.add("contoso.com", "TXT", [value[:4], value[4:]])
    assert domain_verify(domain=pending, actor=ACTOR)[0].verified_at is not None


@pytest.mark.parametrize("setup, words", [
    (lambda s: s.add("fabrikam.com", "A", "192.0.2.1"), "NXDOMAIN"),
    (lambda s: s.servfail("contoso.com"), "SERVFAIL"),
    (lambda s: s.timeout("contoso.com"), "in time"),
    (lambda s: (s.add("contoso.com", "CNAME", "a.contoso.net"), s.add("a.contoso.net", "CNAME", "contoso.com")), "loop"),
    (lambda s: s.add("contoso.com", "TXT", "MS=ms00000000"), "not MS="),
    (lambda s: s.add("contoso.com", "A", "192.0.2.1"), "Neither"),
])
def test_failures_leave_it_unverified_with_a_plain_reason(pending, dns_server, setup, words):
    setup(dns_server)
    domain, check = domain_verify(domain=pending, actor=ACTOR)
    assert not check.found and domain.verified_at is None and words in check.message
    domain.refresh_from_db()
    assert domain.check_attempts == 1 and words in domain.last_result and domain.next_check_at


def test_huge_hostile_txt_answer_is_handled(pending, dns_server):
    for n in range(60):
        dns_server.add("contoso.com", "TXT", ["x" * 255, "y" * 255])
    dns_server.add("contoso.com", "TXT", txt_value(pending))
    assert domain_verify(domain=pending, actor=ACTOR)[0].verified_at is not None


def test_name_verified_elsewhere_meanwhile_gives_a_clear_error(pending, dns_server, org_b):
    theirs = domain_add(tenant=org_b.tenant, actor=ACTOR, name="contoso.com")
    dns_server.add("contoso.com", "TXT", txt_value(theirs))
    dns_server.add("contoso.com", "TXT", txt_value(pending))
    domain_verify(domain=theirs, actor=ACTOR)
    with pytest.raises(DomainTaken):
        domain_verify(domain=pending, actor=ACTOR)
    pending.refresh_from_db()
    assert pending.verified_at is None


@pytest.mark.django_db(transaction=True)
def test_two_tenants_racing_one_wins(dns_server):
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite locks the whole database: a real race needs PostgreSQL (CI runs it there)")
    from tests.factories import make_tenant

    tenant_a, _ = make_tenant("racea")
    tenant_b, _ = make_tenant("raceb")
    ours = domain_add(tenant=tenant_a, actor=ACTOR, name="contoso.com")
    theirs = domain_add(tenant=tenant_b, actor=ACTOR, name="contoso.com")
    dns_server.add("contoso.com", "TXT", txt_value(ours))
    dns_server.add("contoso.com", "TXT", txt_value(theirs))
    outcomes = []
    barrier = threading.Barrier(2)

    def run(domain):
        from django.db import connection

        barrier.wait()
        try:
            outcomes.append(domain_verify(domain=domain, actor=ACTOR)[0].verified_at is not None)
        except DomainTaken:
            outcomes.append("taken")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(d,)) for d in (ours, theirs)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(map(str, outcomes)) == ["True", "taken"]
    assert Domain.objects.filter(name="contoso.com", verified_at__isnull=False).count() == 1


def test_verify_button_shows_the_outcome(pending, dns_server, org_a, client_for):
    client = client_for(org_a.global_admin)
    response = client.post(reverse("domains:verify", args=["contoso.com"]), follow=True)
    assert "could not verify" in response.content.decode()
    dns_server.add("contoso.com", "TXT", txt_value(pending))
    response = client.post(reverse("domains:verify", args=["contoso.com"]), follow=True)
    assert "is verified" in response.content.decode()


def test_verify_page_shows_records_exactly_and_host_steps(pending, org_a, client_for):
    client = client_for(org_a.global_admin)
    page = client.get(reverse("domains:detail", args=["contoso.com"]) + "?host=godaddy").content.decode()
    assert txt_value(pending) in page and "3600" in page and "GoDaddy" in page and "1 Hour" in page
    page = client.get(reverse("domains:detail", args=["contoso.com"]) + "?record=mx&host=hover").content.decode()
    assert mx_target(pending) in page and "32767" in page and "Hover" in page


def test_other_tenant_gets_404(pending, org_b, client_for):
    client = client_for(org_b.global_admin)
    assert client.get(reverse("domains:detail", args=["contoso.com"])).status_code == 404
    assert client.post(reverse("domains:verify", args=["contoso.com"])).status_code == 404


def test_role_without_write_gets_403_on_verify(pending, org_a, client_for):
    client = client_for(org_a.user_admin)
    assert client.get(reverse("domains:detail", args=["contoso.com"])).status_code == 200
    assert client.post(reverse("domains:verify", args=["contoso.com"])).status_code == 403
    assert client_for(org_a.billing_admin).get(reverse("domains:detail", args=["contoso.com"])).status_code == 403

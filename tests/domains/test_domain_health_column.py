"""The Domains page's Health column: one reading per domain from what the domain stores (never live DNS), links to
where the admin fixes it, a fixed number of queries for any number of domains, isolation and roles."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from domains.dns.verification import mx_target
from domains.models import Domain
from domains.services import domain_add
from domains.zones import domain_set_mode, record_save
from tenantadmin.actors import Actor
from tests.domains.domain_helpers import hosted_domain, verified_domain

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")


def readings(client) -> dict[str, str]:
    response = client.get(reverse("domains:list"))
    assert response.status_code == 200
    return {domain.name: health.key for domain, health in response.context["rows"]}


def add_record(domain, **data):
    return record_save(domain=domain, actor=ACTOR, data={"ttl": 3600, **data})


def test_each_state_has_its_reading(org_a, client_for):
    domain_add(tenant=org_a.tenant, actor=ACTOR, name="unverified.com")
    verified_domain(org_a.tenant, "waiting.com")  # verified, name servers not switched yet
    domain_set_mode(domain=verified_domain(org_a.tenant, "ownhost.com"), actor=ACTOR, mode=Domain.Hosting.NO_NS_SWITCH)
    hosted_domain(org_a.tenant, "hosted.com")
    verified_domain(org_a.tenant, "leaving.com")
    Domain.objects.filter(name="leaving.com").update(status=Domain.Status.PENDING_DELETION)

    assert readings(client_for(org_a.global_admin)) == {
        org_a.tenant.initial_domain: "complete", "unverified.com": "unverified", "waiting.com": "incomplete",
        "ownhost.com": "not_checked", "hosted.com": "complete", "leaving.com": "removing"}


def test_the_page_shows_labels_reasons_and_where_to_fix_it(org_a, client_for):
    verified_domain(org_a.tenant, "waiting.com")
    domain_set_mode(domain=verified_domain(org_a.tenant, "ownhost.com"), actor=ACTOR, mode=Domain.Hosting.NO_NS_SWITCH)
    domain, _record = hosted_domain(org_a.tenant, "hosted.com")
    add_record(domain, type="MX", name="@", value="mx.elsewhere.example", priority=10)

    page = client_for(org_a.user_admin).get(reverse("domains:list")).content.decode()

    assert "<th>Health</th>" in page
    for label in ("Setup complete", "Incomplete setup", "Records not checked", "Possible service issues"):
        assert label in page, label
    assert "another MX record beside ours" in page and "we have not seen the switch yet" in page
    assert re.search(r'data-health="issues"[^>]*>\s*<a class="link-danger" href="%s"'
                     % re.escape(reverse("domains:dns", args=["hosted.com"])), page)
    assert reverse("domains:troubleshoot", args=["ownhost.com"]) + "?stage=services" in page
    assert reverse("domains:dns", args=["waiting.com"]) in page


def test_a_failed_publication_of_a_hosted_zone_is_a_possible_issue(org_a, client_for):
    domain, _record = hosted_domain(org_a.tenant, "hosted.com")
    client = client_for(org_a.global_admin)

    Domain.objects.filter(pk=domain.pk).update(push_state=Domain.Push.PENDING)
    assert readings(client)["hosted.com"] == "complete"  # waiting to be published is normal
    Domain.objects.filter(pk=domain.pk).update(push_state=Domain.Push.FAILED, push_error="connection refused")
    assert readings(client)["hosted.com"] == "issues"
    assert "could not publish the latest changes" in client.get(reverse("domains:list")).content.decode()


def test_records_that_conflict_with_the_service_records_are_possible_issues(org_a, client_for):
    mx, _record = hosted_domain(org_a.tenant, "mx.com")
    add_record(mx, type="MX", name="@", value="mx.elsewhere.example", priority=10)
    spf, _record = hosted_domain(org_a.tenant, "spf.com")
    add_record(spf, type="TXT", name="@", value="v=spf1 include:elsewhere.example -all")
    both, _record = hosted_domain(org_a.tenant, "both.com")
    add_record(both, type="MX", name="@", value="mx.elsewhere.example", priority=10)
    add_record(both, type="TXT", name="@", value="V=SPF1 include:elsewhere.example ~all")

    response = client_for(org_a.global_admin).get(reverse("domains:list"))

    health = {domain.name: health for domain, health in response.context["rows"]}
    assert [health[name].key for name in ("mx.com", "spf.com", "both.com")] == ["issues"] * 3
    assert len(health["both.com"].reasons) == 2
    assert "second SPF record" in str(health["spf.com"].reasons[0])


def test_records_that_do_not_conflict_keep_setup_complete(org_a, client_for):
    domain, _record = hosted_domain(org_a.tenant, "hosted.com")
    add_record(domain, type="MX", name="@", value=mx_target(domain), priority=32767)  # the verification MX
    add_record(domain, type="TXT", name="@", value="google-site-verification=abc")
    add_record(domain, type="MX", name="lists", value="mx.elsewhere.example", priority=10)  # not the apex

    assert readings(client_for(org_a.global_admin))["hosted.com"] == "complete"


def test_another_organizations_domains_and_records_do_not_show(org_a, org_b, client_for):
    theirs, _record = hosted_domain(org_b.tenant, "fabrikam.com")
    add_record(theirs, type="MX", name="@", value="mx.elsewhere.example", priority=10)
    ours, _record = hosted_domain(org_a.tenant, "contoso.com")

    page_readings = readings(client_for(org_a.global_admin))

    assert "fabrikam.com" not in page_readings and page_readings["contoso.com"] == "complete"


def test_roles_without_domain_rights_get_403(org_a, client_for):
    for role in ("billing_admin", "user"):
        assert client_for(org_a.member(role)).get(reverse("domains:list")).status_code == 403


def test_the_list_costs_the_same_queries_for_few_and_many_domains_in_every_state(org_a, client_for):
    def add_domains(first, last):
        for n in range(first, last):
            domain_add(tenant=org_a.tenant, actor=ACTOR, name=f"new{n}.com")
            verified_domain(org_a.tenant, f"waiting{n}.com")
            domain, _record = hosted_domain(org_a.tenant, f"hosted{n}.com")
            add_record(domain, type="MX", name="@", value="mx.elsewhere.example", priority=10)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert set(readings(client).values()) == {"complete", "unverified", "incomplete", "issues"}
        return len(captured)

    client = client_for(org_a.global_admin)
    add_domains(0, 1)
    client.get(reverse("domains:list"))
    few = queries()
    add_domains(1, 12)
    # Within the list's pinned budget (test_domain_list_default_removal.py): the health readings add no query.
    assert queries() == few <= 12

"""The stored DNS service check: the troubleshooter's name-server and service-record steps over the real loopback
DNS server, stored on the domain by the daily task (one per domain, spread over the day) and by "Check now";
audited and mailed only when the result changes; read by the Domains list's Health column."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from domains import service_checks
from domains.dns.records import fqdn, service_records
from domains.models import Domain
from domains.tasks import check_domain_services, check_domain_services_task
from domains.zones import domain_host_zone, domain_set_mode
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.domains.domain_helpers import hosted_domain, verified_domain

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")
OK, PROBLEM, UNKNOWN = Domain.ServiceCheck.OK, Domain.ServiceCheck.PROBLEM, Domain.ServiceCheck.UNKNOWN


def own_host_domain(tenant, name: str) -> Domain:
    """Verified, the admin keeps the DNS host and creates the service records there."""
    domain = verified_domain(tenant, name)
    domain_set_mode(domain=domain, actor=ACTOR, mode=Domain.Hosting.NO_NS_SWITCH)
    domain.refresh_from_db()
    return domain


def publish(dns_server, domain: Domain, *, leave_out=()):
    """Serve the domain's service records from the loopback DNS server, except the (name, type) pairs left out."""
    for record in service_records(domain):
        if (record["name"], record["type"]) in leave_out:
            continue
        dns_server.add(fqdn(domain.name, record["name"]), record["type"], record["value"],
                       priority=record["priority"] or 0, weight=record["weight"] or 0, port=record["port"] or 0)


def delegate(dns_server, name: str, servers=None):
    for server in servers or settings.OUR_NAME_SERVERS:
        dns_server.add(name, "NS", server)


def run_task(domain: Domain):
    """The daily check of one domain, as the worker runs it."""
    return check_domain_services_task.delay(str(domain.pk)).get()


def make_due(domain: Domain, days: int = 2):
    Domain.objects.filter(pk=domain.pk).update(services_checked_at=timezone.now() - timedelta(days=days))


def audits(domain: Domain):
    return AuditEvent.objects.filter(action="domain.services_check", target_id=str(domain.pk)).order_by("occurred_at")


def health_of(client, name: str):
    response = client.get(reverse("domains:list"))
    assert response.status_code == 200
    return next(health for domain, health in response.context["rows"] if domain.name == name)


# --- what a check finds --------------------------------------------------------------------------------------

def test_a_domain_with_every_record_in_place_is_ok(org_a, dns_server, client_for):
    domain = own_host_domain(org_a.tenant, "contoso.com")
    publish(dns_server, domain)

    assert run_task(domain) == OK

    domain.refresh_from_db()
    assert domain.services_check_state == OK and domain.services_problems == []
    assert timezone.now() - domain.services_checked_at < timedelta(minutes=1)
    health = health_of(client_for(org_a.global_admin), "contoso.com")
    assert health.key == "complete" and health.checked_at == domain.services_checked_at


def test_a_missing_mx_record_is_a_problem_with_its_message(org_a, dns_server, client_for):
    domain = own_host_domain(org_a.tenant, "contoso.com")
    publish(dns_server, domain, leave_out={("@", "MX")})

    assert run_task(domain) == PROBLEM

    domain.refresh_from_db()
    assert domain.services_check_state == PROBLEM
    assert domain.services_problems == [{"code": "record_missing", "params": {"type": "MX", "name": "contoso.com"},
                                         "message": "The MX record contoso.com is missing."}]
    page = client_for(org_a.global_admin).get(reverse("domains:list")).content.decode()
    assert "Possible service issues" in page and "The MX record contoso.com is missing." in page
    # The admin fixes it at their DNS host, so the reading links to the troubleshooter (not our DNS manager).
    troubleshooter = reverse("domains:troubleshoot", args=["contoso.com"])
    assert f'class="link-danger" href="{troubleshooter}?stage=services"' in page


def test_a_wrong_record_and_an_old_mx_are_problems_too(org_a, dns_server):
    domain = own_host_domain(org_a.tenant, "contoso.com")
    publish(dns_server, domain, leave_out={("sip", "CNAME")})
    dns_server.add("sip.contoso.com", "CNAME", "sip.elsewhere.example")
    dns_server.add("contoso.com", "MX", "old-mail.fabrikam.com", priority=10)

    run_task(domain)

    domain.refresh_from_db()
    codes = {(p["code"], p["params"].get("name")) for p in domain.services_problems}
    assert codes == {("record_incorrect", "sip.contoso.com"), ("other_mx", None)}
    messages = " ".join(p["message"] for p in domain.services_problems)
    assert "sip.elsewhere.example" in messages and "old-mail.fabrikam.com" in messages


def test_name_servers_moved_away_from_a_hosted_domain_are_a_problem(org_a, dns_server, client_for):
    domain, _record = hosted_domain(org_a.tenant, "contoso.com")
    Domain.objects.filter(pk=domain.pk).update(ns_detected_at=timezone.now() - timedelta(days=30))
    delegate(dns_server, "contoso.com", ["ns1.elsewhere.example", "ns2.elsewhere.example"])

    assert run_task(domain) == PROBLEM

    domain.refresh_from_db()
    assert domain.services_problems[0]["code"] == "ns_moved_away"
    assert "no longer uses our name servers" in domain.services_problems[0]["message"]
    health = health_of(client_for(org_a.global_admin), "contoso.com")
    assert health.key == "issues" and health.fix == "troubleshoot"
    assert "no longer uses our name servers" in str(health.reasons[0])


def test_a_hosted_domain_answered_by_our_name_servers_is_ok(org_a, dns_server, client_for):
    domain, _record = hosted_domain(org_a.tenant, "contoso.com")
    Domain.objects.filter(pk=domain.pk).update(ns_detected_at=timezone.now() - timedelta(days=30))
    delegate(dns_server, "contoso.com")
    publish(dns_server, domain)

    assert run_task(domain) == OK
    assert health_of(client_for(org_a.global_admin), "contoso.com").key == "complete"


def test_dns_that_does_not_answer_keeps_the_last_conclusive_result(org_a, dns_server, client_for):
    domain = own_host_domain(org_a.tenant, "contoso.com")
    names = {fqdn(domain.name, r["name"]) for r in service_records(domain)}
    for name in names:
        dns_server.servfail(name)

    assert run_task(domain) == UNKNOWN  # inconclusive: nothing stored, the domain stays due
    domain.refresh_from_db()
    assert domain.services_checked_at is None and domain.services_check_state == UNKNOWN
    assert health_of(client_for(org_a.global_admin), "contoso.com").key == "not_checked"

    dns_server.clear()
    publish(dns_server, domain)
    assert run_task(domain) == OK
    domain.refresh_from_db()
    checked_at = domain.services_checked_at

    make_due(domain)
    for name in names:
        dns_server.servfail(name)
    assert run_task(domain) == UNKNOWN
    domain.refresh_from_db()
    assert domain.services_check_state == OK and domain.services_checked_at < checked_at
    assert audits(domain).count() == 1


def test_a_proven_problem_counts_even_when_other_lookups_get_no_answer(org_a, dns_server):
    domain = own_host_domain(org_a.tenant, "contoso.com")
    publish(dns_server, domain, leave_out={("@", "MX")})
    dns_server.servfail("_sip._tls.contoso.com")

    assert run_task(domain) == PROBLEM

    domain.refresh_from_db()
    assert [p["code"] for p in domain.services_problems] == ["record_missing"]


# --- idempotent, audited and mailed on change only -------------------------------------------------------------

def test_rerunning_the_task_is_idempotent_and_the_admins_are_mailed_once(
        org_a, dns_server, django_capture_on_commit_callbacks):
    domain = own_host_domain(org_a.tenant, "contoso.com")
    publish(dns_server, domain, leave_out={("@", "MX")})

    with django_capture_on_commit_callbacks(execute=True):
        assert run_task(domain) == PROBLEM
        assert run_task(domain) is None  # checked a moment ago: not due, nothing done
    assert len(mail.outbox) == 1 and audits(domain).count() == 1
    [message] = mail.outbox
    assert message.to == [org_a.global_admin.alternate_email] and "contoso.com" in message.subject
    assert "The MX record contoso.com is missing." in message.body
    assert reverse("domains:troubleshoot", args=["contoso.com"]) + "?stage=services" in message.body

    for _day in range(3):  # the next days find the same problem: stored, not audited, not mailed
        make_due(domain)
        with django_capture_on_commit_callbacks(execute=True):
            assert run_task(domain) == PROBLEM
    domain.refresh_from_db()
    assert timezone.now() - domain.services_checked_at < timedelta(minutes=1)
    assert len(mail.outbox) == 1 and audits(domain).count() == 1

    dns_server.clear()  # the admin adds the MX record: healthy, audited, no mail
    publish(dns_server, domain)
    make_due(domain)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_task(domain) == OK
    assert len(mail.outbox) == 1 and audits(domain).count() == 2

    dns_server.clear()  # and it breaks again: a new mail
    publish(dns_server, domain, leave_out={("@", "MX")})
    make_due(domain)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_task(domain) == PROBLEM
    assert len(mail.outbox) == 2 and audits(domain).count() == 3

    first = audits(domain).first()
    assert first.actor_type == AuditEvent.ActorType.SYSTEM and first.actor_label == "DNS service check"
    assert first.changes == {"services_check_state": ["unknown", "problem"],
                             "services_problems": [[], ["record_missing MX contoso.com"]]}


def test_another_failing_check_is_audited_without_a_new_mail(org_a, dns_server, django_capture_on_commit_callbacks):
    domain = own_host_domain(org_a.tenant, "contoso.com")
    publish(dns_server, domain, leave_out={("@", "MX")})
    with django_capture_on_commit_callbacks(execute=True):
        run_task(domain)
    dns_server.clear()
    publish(dns_server, domain, leave_out={("@", "MX"), ("sip", "CNAME")})
    make_due(domain)
    with django_capture_on_commit_callbacks(execute=True):
        run_task(domain)
    assert len(mail.outbox) == 1 and audits(domain).count() == 2
    assert audits(domain).last().changes["services_problems"][1] == ["record_missing CNAME sip.contoso.com",
                                                                      "record_missing MX contoso.com"]


def test_changing_the_dns_mode_forgets_the_stored_check(org_a, dns_server, client_for):
    domain = own_host_domain(org_a.tenant, "contoso.com")
    publish(dns_server, domain, leave_out={("@", "MX")})
    run_task(domain)

    domain_set_mode(domain=domain, actor=ACTOR, mode=Domain.Hosting.EXTERNAL)
    domain.refresh_from_db()
    assert (domain.services_checked_at, domain.services_check_state, domain.services_problems) == (None, UNKNOWN, [])
    assert health_of(client_for(org_a.global_admin), "contoso.com").key == "incomplete"

    domain_set_mode(domain=domain, actor=ACTOR, mode=Domain.Hosting.NO_NS_SWITCH)
    run_task(domain)
    domain_host_zone(domain=domain, actor=ACTOR)
    domain.refresh_from_db()
    assert (domain.services_checked_at, domain.services_check_state, domain.services_problems) == (None, UNKNOWN, [])
    assert health_of(client_for(org_a.global_admin), "contoso.com").key == "complete"  # read from our zone


# --- the daily sweep -------------------------------------------------------------------------------------------

def test_only_checkable_domains_are_swept(org_a, org_b, dns_server):
    checkable = {own_host_domain(org_a.tenant, "own.com").pk, own_host_domain(org_b.tenant, "theirs.com").pk}
    settled, _record = hosted_domain(org_a.tenant, "settled.com")
    Domain.objects.filter(pk=settled.pk).update(ns_detected_at=timezone.now() - timedelta(days=2))
    checkable.add(settled.pk)
    hosted_domain(org_a.tenant, "just-switched.com")  # resolvers may still hold the old host's records
    verified_domain(org_a.tenant, "waiting.com")  # name servers not switched: detect-dns-delegations' job
    leaving = own_host_domain(org_a.tenant, "leaving.com")
    Domain.objects.filter(pk=leaving.pk).update(status=Domain.Status.PENDING_DELETION)
    fresh = own_host_domain(org_a.tenant, "fresh.com")
    Domain.objects.filter(pk=fresh.pk).update(services_checked_at=timezone.now() - timedelta(hours=2),
                                              services_check_state=OK)

    due = set(service_checks.due_domains(now=timezone.now()).values_list("pk", flat=True))

    assert due == checkable
    # The beat task checks them (eager here: the countdowns do not wait).
    assert check_domain_services.delay().get() == 1  # 5 checkable domains: this hour's share is ceil(5 / 24)


def test_the_sweep_sends_one_task_per_domain_spread_over_the_hour_oldest_first(org_a, dns_server):
    domains = [own_host_domain(org_a.tenant, f"d{n:02}.com") for n in range(50)]  # share: ceil(50 / 24) = 3
    now = timezone.now()
    for number, domain in enumerate(domains[:47]):
        Domain.objects.filter(pk=domain.pk).update(services_checked_at=now - timedelta(hours=23, minutes=number),
                                                   services_check_state=OK)
    sent = []

    assert service_checks.sweep(now=now, send=lambda pk, countdown: sent.append((pk, countdown))) == 3

    never_checked = {str(d.pk) for d in domains[47:]}
    assert {pk for pk, _countdown in sent} == never_checked
    assert [countdown for _pk, countdown in sent] == [0, 1200, 2400]

    Domain.objects.filter(pk__in=[d.pk for d in domains[47:]]).update(services_checked_at=now, services_check_state=OK)
    sent.clear()
    service_checks.sweep(now=now, send=lambda pk, countdown: sent.append((pk, countdown)))
    assert [pk for pk, _countdown in sent] == [str(d.pk) for d in (domains[46], domains[45], domains[44])]


def test_a_days_hourly_sweeps_check_each_domain_once_spread_over_the_day(org_a, dns_server):
    domains = [own_host_domain(org_a.tenant, f"d{n:02}.com") for n in range(48)]  # share: 2 an hour
    for domain in domains:
        publish(dns_server, domain)
    start = timezone.now()
    checked_per_hour, checks = [], {str(d.pk): 0 for d in domains}

    for hour in range(48):
        now = start + timedelta(hours=hour)
        sent = []
        service_checks.sweep(now=now, send=lambda pk, countdown: sent.append(pk))
        for pk in sent:
            service_checks.check_if_due(pk, now=now)
            checks[pk] += 1
        checked_per_hour.append(len(sent))

    assert checked_per_hour == [2] * 48  # evenly spread, first day and second day alike
    assert set(checks.values()) == {2}  # each domain once a day


# --- "Check now" on the troubleshooter -------------------------------------------------------------------------

def test_check_now_stores_the_result_and_shows_the_checks(org_a, dns_server, client_for):
    domain = own_host_domain(org_a.tenant, "contoso.com")
    publish(dns_server, domain, leave_out={("@", "MX")})
    client = client_for(org_a.global_admin)

    page = client.get(reverse("domains:troubleshoot", args=["contoso.com"]) + "?stage=services").content.decode()
    assert 'id="check-services"' in page and "Not checked yet" in page
    response = client.post(reverse("domains:check_services", args=["contoso.com"]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "We found problems" in page and "Name servers" in page and "Present and correct" in page
    domain.refresh_from_db()
    assert domain.services_check_state == PROBLEM
    [event] = audits(domain)
    assert event.actor_id == org_a.global_admin.pk and event.actor_type == AuditEvent.ActorType.USER
    assert health_of(client, "contoso.com").key == "issues"

    dns_server.clear()
    publish(dns_server, domain)
    page = client.post(reverse("domains:check_services", args=["contoso.com"])).content.decode()
    assert "Every record is present and correct" in page
    assert health_of(client, "contoso.com").key == "complete"


def test_check_now_without_an_answer_keeps_the_last_result(org_a, dns_server, client_for):
    domain = own_host_domain(org_a.tenant, "contoso.com")
    for record in service_records(domain):
        dns_server.servfail(fqdn(domain.name, record["name"]))

    page = client_for(org_a.global_admin).post(reverse("domains:check_services", args=["contoso.com"])).content.decode()

    assert "DNS did not answer some of the checks" in page
    domain.refresh_from_db()
    assert domain.services_checked_at is None


def test_check_now_refuses_a_domain_that_is_not_checked(org_a, dns_server, client_for):
    verified_domain(org_a.tenant, "waiting.com")
    client = client_for(org_a.global_admin)

    assert 'id="stored-check"' not in client.get(reverse("domains:troubleshoot", args=["waiting.com"])).content.decode()
    response = client.post(reverse("domains:check_services", args=["waiting.com"]), follow=True)

    assert response.redirect_chain[-1][0].endswith("?stage=services")
    assert "Only a verified domain whose DNS we host" in response.content.decode()
    assert Domain.objects.get(name="waiting.com").services_checked_at is None


def test_check_now_is_a_post(org_a, client_for):
    own_host_domain(org_a.tenant, "contoso.com")
    url = reverse("domains:check_services", args=["contoso.com"])
    assert client_for(org_a.global_admin).get(url).status_code == 405


def test_another_organizations_domain_is_404(org_a, org_b, dns_server, client_for):
    own_host_domain(org_a.tenant, "contoso.com")

    response = client_for(org_b.global_admin).post(reverse("domains:check_services", args=["contoso.com"]))

    assert response.status_code == 404
    assert Domain.objects.get(name="contoso.com").services_checked_at is None


def test_roles_that_may_not_change_domains_get_403(org_a, dns_server, client_for):
    own_host_domain(org_a.tenant, "contoso.com")
    url = reverse("domains:check_services", args=["contoso.com"])
    for role in ("user_admin", "billing_admin", "password_admin", "service_admin", "user"):
        assert client_for(org_a.member(role)).post(url).status_code == 403, role
    assert Domain.objects.get(name="contoso.com").services_checked_at is None
    # A user management admin may read the troubleshooter and the stored result, without the button.
    page = client_for(org_a.user_admin).get(reverse("domains:troubleshoot", args=["contoso.com"])).content.decode()
    assert 'id="stored-check"' in page and 'id="check-services"' not in page


# --- the Health column -------------------------------------------------------------------------------------------

def test_the_list_costs_the_same_queries_with_stored_checks(org_a, client_for):
    def add_domains(first, last):
        for n in range(first, last):
            for state, problems in ((OK, []), (PROBLEM, [{"code": "record_missing", "message": "x",
                                                         "params": {"type": "MX", "name": f"p{n}.com"}}])):
                domain = own_host_domain(org_a.tenant, f"{state}{n}.com")
                Domain.objects.filter(pk=domain.pk).update(services_checked_at=timezone.now(),
                                                           services_check_state=state, services_problems=problems)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("domains:list")).status_code == 200
        return len(captured)

    client = client_for(org_a.global_admin)
    add_domains(0, 1)
    client.get(reverse("domains:list"))
    few = queries()
    add_domains(1, 15)
    assert queries() == few <= 12  # the list's pinned budget (test_domain_list_default_removal.py)


def test_many_problems_show_three_and_a_count(org_a, client_for):
    domain = own_host_domain(org_a.tenant, "contoso.com")
    problems = [{"code": "record_missing", "params": {"type": "CNAME", "name": f"n{n}.contoso.com"}, "message": ""}
                for n in range(5)]
    Domain.objects.filter(pk=domain.pk).update(services_checked_at=timezone.now(), services_check_state=PROBLEM,
                                               services_problems=problems)

    page = client_for(org_a.global_admin).get(reverse("domains:list")).content.decode()

    assert "The CNAME record n2.contoso.com is missing." in page and "and 2 more problems" in page
    assert "Records checked" in page

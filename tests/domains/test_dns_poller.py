"""The background poller: due domains are checked, verified the moment the record shows, backed off,
and given up after 72 hours with the page explaining what to check."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from domains import polling
from domains.dns.verification import txt_value
from domains.models import Domain
from domains.services import domain_add
from domains.tasks import poll_pending_domains
from tenantadmin.actors import Actor
from tests.factories import make_tenant

ACTOR = Actor.system("tests")


def _due(domain, when=None):
    Domain.objects.filter(pk=domain.pk).update(next_check_at=when or timezone.now() - timedelta(seconds=1))


def test_beat_task_verifies_a_due_domain_and_mails(org_a, dns_server, django_capture_on_commit_callbacks):
    domain = domain_add(tenant=org_a.tenant, actor=ACTOR, name="contoso.com")
    _due(domain)
    dns_server.add("contoso.com", "TXT", txt_value(domain))
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_pending_domains.delay().get() == 1
    domain.refresh_from_db()
    assert domain.verified_at is not None and domain.next_check_at is None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [org_a.global_admin.alternate_email]


def test_not_due_domains_are_left_alone(org_a, dns_server):
    domain = domain_add(tenant=org_a.tenant, actor=ACTOR, name="contoso.com")
    _due(domain, timezone.now() + timedelta(minutes=10))
    dns_server.add("contoso.com", "TXT", txt_value(domain))
    assert poll_pending_domains.delay().get() == 0
    assert dns_server.queries == 0 and Domain.objects.get(pk=domain.pk).verified_at is None


def test_missing_record_backs_off_further_each_time(org_a, dns_server, settings):
    settings.DNS_POLL_INTERVAL_SECONDS = 60
    domain = domain_add(tenant=org_a.tenant, actor=ACTOR, name="contoso.com")
    now = timezone.now()
    gaps = []
    for _attempt in range(4):
        polling.check_domains([domain.pk], now=now)
        domain.refresh_from_db()
        gaps.append((domain.next_check_at - now).total_seconds())
    assert domain.check_attempts == 4 and gaps == sorted(gaps) and gaps[-1] > gaps[0] * 3
    assert gaps[-1] <= 16 * 60


def test_after_72_hours_it_gives_up_and_the_page_says_what_to_check(org_a, dns_server, client_for):
    domain = domain_add(tenant=org_a.tenant, actor=ACTOR, name="contoso.com")
    later = domain.polling_since + timedelta(hours=72, minutes=1)
    polling.check_domains([domain.pk], now=later)
    domain.refresh_from_db()
    assert domain.given_up_at == later and domain.next_check_at is None
    assert polling.due_domain_ids(now=later + timedelta(days=1)) == []
    page = client_for(org_a.global_admin).get(reverse("domains:detail", args=["contoso.com"])).content.decode()
    assert "72 hours" in page and "Wrong value" in page and "Wrong host" in page and "TTL" in page


def test_verify_after_giving_up_starts_another_72_hours(org_a, dns_server, client_for):
    domain = domain_add(tenant=org_a.tenant, actor=ACTOR, name="contoso.com")
    polling.check_domains([domain.pk], now=domain.polling_since + timedelta(hours=73))
    client_for(org_a.global_admin).post(reverse("domains:verify", args=["contoso.com"]))
    domain.refresh_from_db()
    assert domain.given_up_at is None and domain.next_check_at is not None


def test_dns_timeouts_do_not_stop_the_other_checks(org_a, dns_server):
    slow = domain_add(tenant=org_a.tenant, actor=ACTOR, name="slow.com")
    good = domain_add(tenant=org_a.tenant, actor=ACTOR, name="good.com")
    dns_server.timeout("slow.com")
    dns_server.add("good.com", "TXT", txt_value(good))
    counts = polling.check_domains([slow.pk, good.pk])
    assert counts == {"checked": 2, "verified": 1, "taken": 0}
    slow.refresh_from_db()
    assert "in time" in slow.last_result and slow.verified_at is None


def test_tenants_take_turns_so_a_big_one_cannot_starve_a_small_one(db, dns_server):
    big, _ = make_tenant("bigorg")
    small, _ = make_tenant("smallorg")
    past = timezone.now() - timedelta(hours=1)
    big_ids = [domain_add(tenant=big, actor=ACTOR, name=f"big{n}.com").pk for n in range(5)]
    small_id = domain_add(tenant=small, actor=ACTOR, name="small.com").pk
    Domain.objects.filter(pk__in=big_ids).update(next_check_at=past - timedelta(minutes=5))
    Domain.objects.filter(pk=small_id).update(next_check_at=past)
    ids = polling.due_domain_ids(now=timezone.now())
    assert ids.index(small_id) <= 1


def test_dispatch_leases_domains_so_a_second_beat_does_not_send_them_again(org_a, dns_server):
    domain = domain_add(tenant=org_a.tenant, actor=ACTOR, name="contoso.com")
    _due(domain)
    sent = []
    assert polling.poll_dispatch(send=lambda ids, countdown: sent.append(ids)) == 1
    assert polling.poll_dispatch(send=lambda ids, countdown: sent.append(ids)) == 0
    assert sent == [[str(domain.pk)]]

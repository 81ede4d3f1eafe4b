"""Zones pushed to a real PowerDNS through its HTTP API, then read back over DNS from PowerDNS itself.
PowerDNS down: the change is kept, shown as failed, and published by the retry task."""

from django.urls import reverse

from domains.dns.lookup import lookup
from domains.models import Domain
from domains.tasks import retry_zone_pushes
from domains.zones import record_delete, record_save
from tenantadmin.actors import Actor
from tests.domains.domain_helpers import hosted_domain

ACTOR = Actor.system("tests")


def test_hosted_zone_is_published_and_served(org_a, pdns, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        domain, _record = hosted_domain(org_a.tenant, "pdns-one.com")
    domain.refresh_from_db()
    assert domain.push_state == Domain.Push.DONE and domain.pushed_at
    assert lookup("intranet.pdns-one.com", "A").values == ["192.0.2.10"]
    assert lookup("pdns-one.com", "MX").values == ["0 pdns-one-com.mail.protection.tenantadmin.example"]
    assert lookup("_sip._tls.pdns-one.com", "SRV").ok


def test_changes_and_removals_reach_powerdns_idempotently(org_a, pdns, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        domain, record = hosted_domain(org_a.tenant, "pdns-two.com")
        long_text = "v=long " + "x" * 400
        record_save(domain=domain, actor=ACTOR, data={"type": "TXT", "name": "long", "value": long_text, "ttl": 600})
        record_save(domain=domain, actor=ACTOR, record=record,
                    data={"type": "A", "name": "intranet", "value": "192.0.2.77", "ttl": 600})
    assert lookup("intranet.pdns-two.com", "A").values == ["192.0.2.77"]
    assert lookup("long.pdns-two.com", "TXT").values == [long_text]
    with django_capture_on_commit_callbacks(execute=True):
        record_delete(domain=domain, actor=ACTOR, record=record)
    assert lookup("intranet.pdns-two.com", "A").status == "nxdomain"
    # Pushing the same zone again changes nothing and succeeds.
    assert retry_zone_pushes.delay().get() == 0
    from domains.zones import zone_push

    assert zone_push(domain.pk) is True


def test_powerdns_down_keeps_the_change_shows_it_and_retries(org_a, pdns, settings, client_for,
                                                              django_capture_on_commit_callbacks):
    settings.PDNS_API_URL = "http://127.0.0.1:9"  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        domain, _record = hosted_domain(org_a.tenant, "pdns-three.com")
    domain.refresh_from_db()
    assert domain.push_state == Domain.Push.FAILED and "cannot be reached" in domain.push_error
    page = client_for(org_a.global_admin).get(reverse("domains:dns", args=["pdns-three.com"])).content.decode()
    assert "Publishing failed" in page
    settings.PDNS_API_URL = pdns["url"]
    assert retry_zone_pushes.delay().get() == 1
    domain.refresh_from_db()
    assert domain.push_state == Domain.Push.DONE and domain.push_error == ""
    assert lookup("intranet.pdns-three.com", "A").values == ["192.0.2.10"]


def test_removal_with_powerdns_down_stays_pending_and_is_retried(org_a, pdns, settings,
                                                                  django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from domains.removal import domain_remove_start, retry_failed_removals
    from tenantadmin.models import Job

    with django_capture_on_commit_callbacks(execute=True):
        domain, _record = hosted_domain(org_a.tenant, "pdns-four.com")
    assert lookup("intranet.pdns-four.com", "A").ok
    settings.PDNS_API_URL = "http://127.0.0.1:9"
    with django_capture_on_commit_callbacks(execute=True):
        domain_remove_start(tenant=org_a.tenant, actor=ACTOR, domain=domain)
    job = Job.objects.get(kind="domain.remove")
    domain.refresh_from_db()
    assert job.status == Job.Status.FAILED and "tried again" in job.message
    assert domain.status == Domain.Status.PENDING_DELETION and domain.removal_error
    settings.PDNS_API_URL = pdns["url"]
    assert retry_failed_removals() == 0  # too soon after the failed attempt
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_failed_removals(now=timezone.now() + timedelta(hours=1)) == 1
    assert not Domain.objects.filter(pk=domain.pk).exists()
    assert not lookup("intranet.pdns-four.com", "A").ok  # the zone is gone from PowerDNS

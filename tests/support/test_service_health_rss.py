"""The secret RSS feed of service health: works with the secret, 404 with a wrong, old or forged one,
regenerate (confirmed, audited) invalidates the old address, roles."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.core import signing
from django.urls import reverse

from support.health_feed import feed_path, feed_token
from tenantadmin.models import AuditEvent
from tests.support.healthhelpers import exchange_only_org, incident, maintenance

NOW = dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC)
REGENERATE = "/admin/support/health/feed/regenerate/"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def titles(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
    return [item.findtext("title") for item in ET.fromstring(response.content).iter("item")]


def test_feed_carries_incidents_and_maintenance_of_subscribed_services(clock, db, client):
    tenant, _admin = exchange_only_org("rssex")
    incident(started_at=NOW - dt.timedelta(hours=2), title="Mail delayed",
             updates=[(NOW - dt.timedelta(hours=1), "Fix under way.")])
    incident(service="lync", component="meetings", started_at=NOW - dt.timedelta(hours=2), title="Meetings fail")
    maintenance(starts_at=NOW + dt.timedelta(days=1), ends_at=NOW + dt.timedelta(days=1, hours=1), title="Upgrade")
    response = client.get(feed_path(tenant=tenant))  # no sign-in: feed readers cannot
    found = titles(response)
    assert any("Mail delayed" in t for t in found) and any("Upgrade" in t for t in found)
    assert not any("Meetings fail" in t for t in found)
    assert b"Fix under way." in response.content


def test_changed_incident_is_a_new_item(clock, org_a, client, time_machine):
    row = incident(started_at=NOW - dt.timedelta(hours=2), title="Mail delayed")
    first = ET.fromstring(client.get(feed_path(tenant=org_a.tenant)).content).find(".//item/guid").text
    time_machine.move_to(NOW + dt.timedelta(minutes=30), tick=False)
    row.status = "restoring"
    row.save()
    second = ET.fromstring(client.get(feed_path(tenant=org_a.tenant)).content).find(".//item/guid").text
    assert first != second


def test_wrong_or_forged_secret_is_404(org_a, client):
    good = feed_token(tenant=org_a.tenant)
    assert client.get(reverse("support:health_feed", kwargs={"token": good[:-2] + "xx"})).status_code == 404
    assert client.get(reverse("support:health_feed", kwargs={"token": "nonsense"})).status_code == 404
    forged = signing.Signer(salt="another.salt").sign(f"{org_a.tenant.pk}.0")
    assert client.get(reverse("support:health_feed", kwargs={"token": forged})).status_code == 404


def test_regenerate_is_confirmed_audited_and_invalidates_the_old_address(org_a, client_for):
    old = feed_path(tenant=org_a.tenant)
    client = client_for(org_a.global_admin)
    page = client.get("/admin/support/health/").content.decode()
    assert old in page and REGENERATE in page
    confirm = client.get(REGENERATE)
    assert confirm.status_code == 200 and "stops working" in confirm.content.decode()
    assert client.get(old).status_code == 200  # a GET changes nothing
    response = client.post(REGENERATE)
    assert response.status_code == 302
    new = feed_path(tenant=org_a.tenant)
    assert new != old
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    assert new in client.get("/admin/support/health/").content.decode()
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="support.health_feed_regenerated")
    assert event.actor == org_a.global_admin


def test_another_tenants_token_names_only_that_tenant(org_a, org_b, client_for):
    """B's admin can open A's address only if B has it; regenerating in B does not touch A's address."""
    a_path = feed_path(tenant=org_a.tenant)
    b_client = client_for(org_b.global_admin)
    b_client.post(REGENERATE)
    assert b_client.get(a_path).status_code == 200
    assert b"Contoso CONTOSOA" in b_client.get(a_path).content
    # B's old (rotation 0) token cannot be turned into A's: the tenant id is inside the signature.
    b_old = feed_token(tenant=org_b.tenant, rotation=0)
    tampered = b_old.replace(str(org_b.tenant.pk), str(org_a.tenant.pk))
    assert b_client.get(reverse("support:health_feed", kwargs={"token": tampered})).status_code == 404


@pytest.mark.parametrize("role", ["user_admin", "user"])
def test_role_without_service_health_cannot_regenerate(org_a, client_for, role):
    old = feed_path(tenant=org_a.tenant)
    client = client_for(org_a.member(role))
    assert client.post(REGENERATE).status_code == 403
    assert feed_path(tenant=org_a.tenant) == old

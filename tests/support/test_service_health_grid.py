"""Service health grid: icons per day in the viewer's time zone, only subscribed services, incident details,
roles, a fixed number of queries."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from support.models_health import Incident
from tests.support.healthhelpers import exchange_only_org
from tests.support.healthhelpers import incident

NOW = dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC)
URL = "/admin/support/health/"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def cell_state(html, service, component, day):
    row = re.search(rf'<tr data-service="{service}" data-component="{component}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {service}/{component}"
    found = re.search(rf'data-day="{day}" data-state="(\w+)"', row.group(1))
    assert found, f"no cell for {day}"
    return found.group(1)


def page(client_for, person):
    response = client_for(person).get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_url_name():
    assert reverse("support:health") == URL


def test_all_normal_without_incidents(clock, org_a, client_for):
    html = page(client_for, org_a.global_admin)
    assert cell_state(html, "exchange", "delivery", "2026-12-05") == "normal"
    assert cell_state(html, "exchange", "delivery", "2026-11-29") == "normal"
    assert 'data-day="2026-11-28"' not in html  # today + the previous 6 days only
    assert 'id="no-incidents"' in html


def test_active_incident_today_and_earlier_days(clock, org_a, client_for):
    incident(started_at=NOW - dt.timedelta(days=2), classification=Incident.Classification.INTERRUPTION,
             updates=[(NOW - dt.timedelta(days=2, hours=-1), "We are looking into it.")])
    html = page(client_for, org_a.global_admin)
    assert cell_state(html, "exchange", "delivery", "2026-12-05") == "interruption"
    assert cell_state(html, "exchange", "delivery", "2026-12-04") == "information"
    assert cell_state(html, "exchange", "delivery", "2026-12-03") == "information"
    assert cell_state(html, "exchange", "delivery", "2026-12-02") == "normal"
    assert cell_state(html, "exchange", "access", "2026-12-05") == "normal"
    assert "We are looking into it." in html and "Mail delivery delayed" in html


def test_degradation_then_restored_today(clock, org_a, client_for):
    incident(started_at=NOW - dt.timedelta(hours=1))
    assert cell_state(page(client_for, org_a.global_admin), "exchange", "delivery", "2026-12-05") == "degradation"
    Incident.objects.update(ended_at=NOW - dt.timedelta(minutes=5), status=Incident.Status.RESTORED)
    assert cell_state(page(client_for, org_a.global_admin), "exchange", "delivery", "2026-12-05") == "restored"


@pytest.mark.parametrize("zone, yesterday, today", [
    ("", "information", "normal"),                     # UTC: 23:30 on the 4th is yesterday
    ("Europe/Amsterdam", "normal", "restored"),        # 00:30 on the 5th is today there
    ("America/New_York", "information", "normal"),     # 18:30 on the 4th
])
def test_time_zone_of_the_viewer_decides_the_day(clock, org_a, client_for, zone, yesterday, today):
    incident(started_at=dt.datetime(2026, 12, 4, 23, 30, tzinfo=dt.UTC),
             ended_at=dt.datetime(2026, 12, 4, 23, 50, tzinfo=dt.UTC))
    org_a.global_admin.time_zone = zone
    org_a.global_admin.save(update_fields=["time_zone"])
    html = page(client_for, org_a.global_admin)
    assert cell_state(html, "exchange", "delivery", "2026-12-04") == yesterday
    assert cell_state(html, "exchange", "delivery", "2026-12-05") == today


def test_daylight_saving_day_boundary(time_machine, org_a, client_for):
    # Amsterdam left summer time on 25 Oct 2026 (UTC+2 -> UTC+1): 22:30 UTC on the 24th is 00:30 on the 25th.
    time_machine.move_to(dt.datetime(2026, 10, 25, 12, 0, tzinfo=dt.UTC), tick=False)
    incident(started_at=dt.datetime(2026, 10, 24, 22, 30, tzinfo=dt.UTC),
             ended_at=dt.datetime(2026, 10, 24, 22, 45, tzinfo=dt.UTC))
    org_a.global_admin.time_zone = "Europe/Amsterdam"
    org_a.global_admin.save(update_fields=["time_zone"])
    html = page(client_for, org_a.global_admin)
    assert cell_state(html, "exchange", "delivery", "2026-10-25") == "restored"
    assert cell_state(html, "exchange", "delivery", "2026-10-24") == "normal"


def test_only_subscribed_services_are_shown(clock, db, client_for):
    _tenant, admin = exchange_only_org("exonly")
    incident(service="sharepoint", component="access", started_at=NOW - dt.timedelta(hours=2),
             title="Sites are slow")
    html = page(client_for, admin)
    assert 'data-service="exchange"' in html and 'data-service="portal"' in html
    assert 'data-service="sharepoint"' not in html and 'data-service="lync"' not in html
    assert "Sites are slow" not in html


def test_incident_details_are_in_the_viewer_zone(clock, org_a, client_for):
    row = incident(started_at=dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC))
    org_a.global_admin.time_zone = "Asia/Tokyo"
    org_a.global_admin.save(update_fields=["time_zone"])
    html = page(client_for, org_a.global_admin)
    assert f'id="incident-{row.pk}"' in html and f'href="#incident-{row.pk}"' in html
    assert "Dec. 5, 2026, 5 p.m." in html  # 08:00 UTC is 17:00 in Tokyo
    assert "Asia/Tokyo" in html


@pytest.mark.parametrize("role", ["global_admin", "billing_admin", "password_admin", "service_admin"])
def test_roles_with_service_health(org_a, client_for, role):
    assert client_for(org_a.member(role)).get(URL).status_code == 200


@pytest.mark.parametrize("role", ["user_admin", "user"])
def test_roles_without_service_health_get_403(org_a, client_for, role):
    assert client_for(org_a.member(role)).get(URL).status_code == 403


def test_other_tenant_sees_only_its_own_services(clock, org_a, db, client_for):
    """Incidents belong to no organization; another organization sees one only if it has the service."""
    _tenant, admin = exchange_only_org("lyncless")
    incident(service="lync", component="meetings", started_at=NOW - dt.timedelta(hours=1), title="Meetings fail")
    assert "Meetings fail" in page(client_for, org_a.global_admin)
    assert "Meetings fail" not in page(client_for, admin)


def test_query_count_is_fixed(clock, org_a, client_for, django_assert_max_num_queries):
    client = client_for(org_a.global_admin)
    client.get(URL)
    for n in range(15):
        incident(started_at=NOW - dt.timedelta(days=n % 7, hours=1), title=f"Incident {n}",
                 updates=[(NOW - dt.timedelta(days=n % 7), "Update one"), (NOW, "Update two")])
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200

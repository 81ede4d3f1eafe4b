"""Planned maintenance page, and staff publishing incidents and maintenance in the staff site."""

import datetime as dt

import pytest
from django.urls import reverse

from support.models_health import Incident, IncidentUpdate, Maintenance
from tests.support.healthhelpers import exchange_only_org, maintenance
from users.models import User

NOW = dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC)
URL = "/admin/support/maintenance/"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_url_name():
    assert reverse("support:maintenance") == URL


def test_upcoming_and_past_windows_with_details(clock, org_a, client_for, django_assert_max_num_queries):
    upcoming = maintenance(starts_at=NOW + dt.timedelta(days=2), ends_at=NOW + dt.timedelta(days=2, hours=2),
                           title="Mailbox upgrade")
    past = maintenance(services=["sharepoint"], starts_at=NOW - dt.timedelta(days=3),
                       ends_at=NOW - dt.timedelta(days=3, hours=-1), title="Sites patch",
                       status=Maintenance.Status.COMPLETED)
    maintenance(starts_at=NOW - dt.timedelta(days=200), ends_at=NOW - dt.timedelta(days=199), title="Ancient")
    client = client_for(org_a.global_admin)
    with django_assert_max_num_queries(10):
        html = client.get(URL).content.decode()
    upcoming_table = html.split('id="maintenance-upcoming"')[1].split("</table>")[0]
    past_table = html.split('id="maintenance-past"')[1].split("</table>")[0]
    assert "Mailbox upgrade" in upcoming_table and "Sites patch" not in upcoming_table
    assert "Sites patch" in past_table and "Mailbox upgrade" not in past_table
    assert "Ancient" not in html
    assert f'href="#maintenance-{upcoming.pk}">Scheduled<' in html
    assert f'id="maintenance-{past.pk}"' in html and "Completed" in html


def test_only_maintenance_of_subscribed_services(clock, db, client_for):
    _tenant, admin = exchange_only_org("mtexonly")
    maintenance(services=["lync"], starts_at=NOW + dt.timedelta(days=1), ends_at=NOW + dt.timedelta(days=1, hours=1),
                title="Meeting servers")
    maintenance(services=["lync", "exchange"], starts_at=NOW + dt.timedelta(days=1),
                ends_at=NOW + dt.timedelta(days=1, hours=1), title="Network change")
    html = client_for(admin).get(URL).content.decode()
    assert "Network change" in html and "Meeting servers" not in html


def test_empty_page_says_so(clock, org_a, client_for):
    html = client_for(org_a.global_admin).get(URL).content.decode()
    assert 'id="maintenance-upcoming-empty"' in html and 'id="maintenance-past-empty"' in html


def test_times_in_the_viewer_zone(clock, org_a, client_for):
    maintenance(starts_at=dt.datetime(2026, 12, 6, 23, 0, tzinfo=dt.UTC), ends_at=dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC))
    org_a.global_admin.time_zone = "Europe/Amsterdam"
    org_a.global_admin.save(update_fields=["time_zone"])
    html = client_for(org_a.global_admin).get(URL).content.decode()
    assert "Dec. 7, 2026, midnight" in html and "Dec. 7, 2026, 2 a.m." in html


@pytest.mark.parametrize("role", ["user_admin", "user"])
def test_role_without_service_health_gets_403(org_a, client_for, role):
    assert client_for(org_a.member(role)).get(URL).status_code == 403


@pytest.fixture
def staff_client(client, db):
    staff = User.objects.create_superuser("health-staff@operator.example", "Sunflower#26")
    client.force_login(staff, backend="users.backends.PrincipalNameBackend")
    return client


def test_staff_publish_an_incident_with_an_update(staff_client):
    url = reverse("admin:support_incident_add")
    assert staff_client.get(url).status_code == 200
    data = {
        "service": "exchange", "component": "delivery", "title": "Delayed mail", "classification": "degradation",
        "status": "investigating", "started_at_0": "2026-12-05", "started_at_1": "09:00:00",
        "updates-TOTAL_FORMS": "1", "updates-INITIAL_FORMS": "0", "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000",
        "updates-0-posted_at_0": "2026-12-05", "updates-0-posted_at_1": "09:10:00",
        "updates-0-status": "investigating", "updates-0-message": "Looking into it.",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get(title="Delayed mail")
    assert IncidentUpdate.objects.get(incident=incident).message == "Looking into it."
    assert staff_client.get(reverse("admin:support_incident_change", args=[incident.pk])).status_code == 200


def test_staff_cannot_save_a_component_of_another_service(staff_client):
    response = staff_client.post(reverse("admin:support_incident_add"), {
        "service": "lync", "component": "delivery", "title": "Wrong", "classification": "degradation",
        "status": "investigating", "started_at_0": "2026-12-05", "started_at_1": "09:00:00",
        "updates-TOTAL_FORMS": "0", "updates-INITIAL_FORMS": "0", "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 200 and not Incident.objects.exists()
    assert "Choose one of the components of this service" in response.content.decode()


def test_staff_publish_maintenance(staff_client):
    url = reverse("admin:support_maintenance_add")
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, {
        "title": "Upgrade", "services": ["exchange", "portal"], "description": "Brief outages.",
        "starts_at_0": "2026-12-10", "starts_at_1": "22:00:00", "ends_at_0": "2026-12-10", "ends_at_1": "23:00:00",
        "status": "scheduled",
    })
    assert response.status_code == 302
    assert Maintenance.objects.get(title="Upgrade").services == ["exchange", "portal"]
    bad = staff_client.post(url, {
        "title": "Backwards", "services": ["exchange"], "description": "x",
        "starts_at_0": "2026-12-10", "starts_at_1": "22:00:00", "ends_at_0": "2026-12-10", "ends_at_1": "21:00:00",
        "status": "scheduled",
    })
    assert bad.status_code == 200 and not Maintenance.objects.filter(title="Backwards").exists()

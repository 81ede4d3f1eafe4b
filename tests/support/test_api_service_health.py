"""Graph's healthOverviews and issues: shapes, only subscribed services, paging, permission 403."""

import datetime as dt
from urllib.parse import urlsplit

import pytest

from support.models_health import Incident
from tests.support.healthhelpers import exchange_only_org, incident
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for

NOW = dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC)
OVERVIEWS = "/v1.0/admin/serviceAnnouncement/healthOverviews"
ISSUES = "/v1.0/admin/serviceAnnouncement/issues"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def api_for(client, tenant, permissions=("ServiceHealth.Read.All",)):
    return Api(client, token_for(client, tenant, list(permissions)))


def test_health_overviews_per_subscribed_service(clock, org_a, client):
    incident(started_at=NOW - dt.timedelta(hours=3), classification=Incident.Classification.INTERRUPTION)
    incident(service="sharepoint", component="access", started_at=NOW - dt.timedelta(hours=3))
    incident(service="lync", component="im", started_at=NOW - dt.timedelta(hours=3),
             ended_at=NOW - dt.timedelta(hours=1))
    incident(service="office_web", component="editing", started_at=NOW - dt.timedelta(days=3),
             ended_at=NOW - dt.timedelta(days=2))
    response = api_for(client, org_a.tenant).get(OVERVIEWS)
    assert response.status_code == 200
    body = response.json()
    assert body["@odata.context"].endswith("/v1.0/$metadata#admin/serviceAnnouncement/healthOverviews")
    status = {item["service"]: item["status"] for item in body["value"]}
    assert status == {"Exchange Online": "serviceInterruption", "SharePoint Online": "serviceDegradation",
                      "Lync Online": "serviceRestored", "Office Web Apps": "serviceOperational",
                      "Office Professional Plus": "serviceOperational", "Portal": "serviceOperational"}
    assert set(body["value"][0]) == {"id", "service", "status"}
    selected = api_for(client, org_a.tenant).get(OVERVIEWS, {"$select": "status"}).json()["value"][0]
    assert set(selected) == {"id", "status"}


def test_issues_shape_and_only_subscribed_services(clock, db, client):
    tenant, _admin = exchange_only_org("apiexonly")
    row = incident(started_at=NOW - dt.timedelta(hours=3), title="Mail delayed",
                   updates=[(NOW - dt.timedelta(hours=2), "Investigating."), (NOW - dt.timedelta(hours=1), "Fixing.")])
    incident(service="lync", component="im", started_at=NOW - dt.timedelta(hours=3), title="IM down")
    body = api_for(client, tenant).get(ISSUES).json()
    assert [item["title"] for item in body["value"]] == ["Mail delayed"]
    item = body["value"][0]
    assert item == {
        "id": f"EX{row.pk}", "title": "Mail delayed", "service": "Exchange Online", "feature": "Delivery",
        "featureGroup": "Email and calendar", "classification": "advisory", "status": "investigating",
        "startDateTime": "2026-12-05T07:00:00Z", "endDateTime": None, "lastModifiedDateTime": "2026-12-05T10:00:00Z",
        "isResolved": False, "impactDescription": "Service degradation (slow or intermittent)",
        "posts": [
            {"createdDateTime": "2026-12-05T08:00:00Z", "postType": "regular",
             "description": {"contentType": "text", "content": "Investigating."}},
            {"createdDateTime": "2026-12-05T09:00:00Z", "postType": "regular",
             "description": {"contentType": "text", "content": "Fixing."}},
        ],
    }


def test_issues_paging_with_top(clock, org_a, client, django_assert_max_num_queries):
    for n in range(5):
        incident(started_at=NOW - dt.timedelta(hours=n + 1), title=f"Issue {n}",
                 updates=[(NOW, "Update")])
    api = api_for(client, org_a.tenant)
    with django_assert_max_num_queries(12):
        first = api.get(ISSUES, {"$top": "2"}).json()
    assert [i["title"] for i in first["value"]] == ["Issue 0", "Issue 1"]
    link = urlsplit(first["@odata.nextLink"])
    second = api.get(f"{link.path}?{link.query}").json()
    assert [i["title"] for i in second["value"]] == ["Issue 2", "Issue 3"]
    resolved = api.get(ISSUES, {"$filter": "title eq 'Issue 4'"}).json()["value"]
    assert [i["title"] for i in resolved] == ["Issue 4"]


def test_permission_is_needed(org_a, client):
    api = api_for(client, org_a.tenant, ["User.Read.All"])
    assert_graph_error(api.get(ISSUES), 403, "Authorization_RequestDenied")
    assert_graph_error(api.get(OVERVIEWS), 403, "Authorization_RequestDenied")


def test_no_token_is_401(client, db):
    assert client.get(ISSUES).status_code == 401

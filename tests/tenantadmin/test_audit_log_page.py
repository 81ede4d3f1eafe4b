"""The audit log page: filters, keyset paging, a flat query cost and the CSV export job."""

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent, Job
from tenantadmin.services.audit import audit_record

pytestmark = pytest.mark.django_db

LOG = reverse("tenantadmin:audit_log")
EXPORT = reverse("tenantadmin:audit_export")
# Measured once; a change means the page's cost changed: look at the queries before updating.
LOG_QUERIES = 5
NEXT_LINK = re.compile(r'href="\?([^"]*after=[^"]*)"[^>]*>\s*Next page')


def record(tenant, actor_label="tests", action="test.event", **fields):
    return audit_record(tenant=tenant, actor=Actor.system(actor_label), action=action, **fields)


def shown(response) -> list[int]:
    return [event.pk for event in response.context["page"].items]


def newest_first(events) -> list[int]:
    return list(events.order_by("-occurred_at", "-id").values_list("pk", flat=True))


def next_query(response) -> str | None:
    match = NEXT_LINK.search(response.content.decode())
    return html.unescape(match.group(1)) if match else None


def add_bulk_events(tenant, count):
    start = timezone.now() - timedelta(days=1)
    AuditEvent.objects.bulk_create(
        AuditEvent(tenant=tenant, occurred_at=start + timedelta(seconds=n), actor_type="system", actor_label="bulk",
                   action="bulk.event", target_label=f"item {n}", changes={"n": [n, n + 1]})
        for n in range(count))


# --- filters ---------------------------------------------------------------------------------

def test_actor_filter_matches_part_of_the_actor_label(org_a, org_b, client_for):
    mine = [record(org_a.tenant, "nightly-sync-script").pk, record(org_a.tenant, "NIGHTLY-SYNC backup").pk]
    record(org_a.tenant, "someone else")
    record(org_b.tenant, "nightly-sync-script")

    response = client_for(org_a.global_admin).get(LOG, {"actor": "nightly-sync"})

    assert sorted(shown(response)) == sorted(mine)


def test_action_filter_matches_the_exact_action(org_a, client_for):
    response = client_for(org_a.global_admin).get(LOG, {"action": "role.assign"})

    expected = newest_first(AuditEvent.objects.filter(tenant=org_a.tenant, action="role.assign"))
    assert len(expected) == 5  # the global admin at sign-up and the four role holders of the fixture
    assert shown(response) == expected


def test_action_filter_by_prefix_matches_the_whole_family(org_a, client_for):
    record(org_a.tenant, action="userx.create")  # shares the letters, not the family

    response = client_for(org_a.global_admin).get(LOG, {"action": "user"})

    expected = newest_first(AuditEvent.objects.filter(tenant=org_a.tenant, action__startswith="user."))
    assert expected
    assert shown(response) == expected


def test_date_range_keeps_events_of_those_days_only(org_a, client_for, time_machine):
    today = timezone.now()
    stamps = {}
    for day in (1, 2, 3, 4):
        time_machine.move_to(datetime(2031, 3, day, 12, 0, tzinfo=UTC))
        stamps[day] = record(org_a.tenant, action="dated.event").pk
    time_machine.move_to(datetime(2031, 3, 4, 23, 59, 59, tzinfo=UTC))
    late_on_the_4th = record(org_a.tenant, action="dated.event").pk
    # Back to today to browse: the admin's password would have expired by 2031.
    time_machine.move_to(today)

    response = client_for(org_a.global_admin).get(LOG, {"since": "2031-03-02", "until": "2031-03-03"})
    assert shown(response) == [stamps[3], stamps[2]]

    response = client_for(org_a.global_admin).get(LOG, {"since": "2031-03-04"})
    assert shown(response) == [late_on_the_4th, stamps[4]]


def test_end_before_start_shows_a_form_error_without_crashing(org_a, client_for):
    response = client_for(org_a.global_admin).get(LOG, {"since": "2031-03-05", "until": "2031-03-01"})

    assert response.status_code == 200
    assert "until" in response.context["form"].errors
    assert "The end date is before the start date." in response.content.decode()


def test_only_global_admins_read_the_log(org_a, client_for):
    assert client_for(org_a.user_admin).get(LOG).status_code == 403
    assert client_for(org_a.service_admin).post(EXPORT, {}).status_code == 403
    assert not Job.objects.filter(tenant=org_a.tenant).exists()


# --- paging ----------------------------------------------------------------------------------

def test_first_page_holds_the_50_newest_and_the_next_link_walks_every_event_once(org_a, org_b, client_for):
    add_bulk_events(org_a.tenant, 120)
    add_bulk_events(org_b.tenant, 5)
    expected = newest_first(AuditEvent.objects.filter(tenant=org_a.tenant))
    client = client_for(org_a.global_admin)

    response = client.get(LOG)
    assert shown(response) == expected[:50]

    seen = shown(response)
    while (query := next_query(response)) is not None:
        response = client.get(f"{LOG}?{query}")
        assert response.status_code == 200
        assert 0 < len(shown(response)) <= 50
        seen += shown(response)
    assert seen == expected


def test_next_link_keeps_the_filters(org_a, client_for):
    add_bulk_events(org_a.tenant, 60)
    record(org_a.tenant, "bulk", action="other.event")
    client = client_for(org_a.global_admin)

    first = client.get(LOG, {"action": "bulk.event"})
    query = next_query(first)
    assert "action=bulk.event" in query
    second = client.get(f"{LOG}?{query}")

    assert len(shown(first) + shown(second)) == 60
    assert next_query(second) is None


def test_tampered_cursor_falls_back_to_the_first_page_with_a_warning(org_a, client_for):
    add_bulk_events(org_a.tenant, 60)
    client = client_for(org_a.global_admin)
    cursor = re.search(r"after=([^&]+)", next_query(client.get(LOG))).group(1)

    for after in (cursor[:-3] + "abc", "not-a-cursor", ""):
        response = client.get(LOG, {"after": after})

        assert response.status_code == 200
        assert shown(response) == newest_first(AuditEvent.objects.filter(tenant=org_a.tenant))[:50]
    assert "That page link is no longer valid" in client.get(LOG, {"after": "x"}).content.decode()


@pytest.mark.parametrize("event_count", [60, 600])
def test_log_page_costs_the_same_queries_for_60_and_600_events(event_count, org_a, client_for,
                                                               django_assert_num_queries):
    add_bulk_events(org_a.tenant, event_count)
    client = client_for(org_a.global_admin)
    client.get(LOG)  # warm process-wide caches so only the page itself is counted
    query = next_query(client.get(LOG, {"action": "bulk.event"}))

    with django_assert_num_queries(LOG_QUERIES):
        response = client.get(f"{LOG}?{query}")

    assert len(shown(response)) == min(event_count - 50, 50)


# --- CSV export ------------------------------------------------------------------------------

def download_rows(client, job) -> list[list[str]]:
    response = client.get(reverse("tenantadmin:job_download", args=[job.pk]))
    assert response.status_code == 200
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # the byte-order mark spreadsheets look for
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_export_writes_the_filtered_events_to_a_csv_job_and_mails_the_admin(
        org_a, org_b, client_for, django_capture_on_commit_callbacks, mailoutbox):
    wanted = [record(org_a.tenant, "export-bot", action="export.thing", target_label=f"thing {n}",
                      changes={"n": [n, n + 1]}) for n in range(3)]
    wanted.append(record(org_a.tenant, "export-bot", action="export.thing",
                         target_label='=HYPERLINK("http://evil.example/","click")'))
    record(org_a.tenant, "someone else", action="export.thing")
    record(org_b.tenant, "export-bot", action="export.thing")
    client = client_for(org_a.global_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EXPORT, {"actor": "export-bot", "action": "", "since": "", "until": ""})

    job = Job.objects.get(tenant=org_a.tenant, kind="audit_export")
    assert response.status_code == 302
    assert response.url == reverse("tenantadmin:job_detail", args=[job.pk])
    assert job.created_by == org_a.global_admin
    assert job.params == {"actor": "export-bot"}
    assert job.status == Job.Status.SUCCEEDED
    assert (job.total, job.done) == (4, 4)

    header, *rows = download_rows(client, job)
    assert header[:4] == ["Time (UTC)", "Actor", "Actor type", "Action"]
    assert [row[1] for row in rows] == ["export-bot"] * 4
    assert [row[6] for row in rows] == ["thing 0", "thing 1", "thing 2", '\'=HYPERLINK("http://evil.example/","click")']
    assert [row[5] for row in rows] == [event.target_id for event in wanted]
    assert "n: 0 → 1" in rows[0][7]

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [org_a.global_admin.alternate_email]
    assert "Audit log export" in mail.subject
    assert reverse("tenantadmin:job_detail", args=[job.pk]) in mail.body


def test_export_with_a_date_filter_keeps_only_those_days(org_a, client_for, time_machine,
                                                         django_capture_on_commit_callbacks):
    today = timezone.now()
    for day in (1, 2, 3):
        time_machine.move_to(datetime(2031, 3, day, 12, 0, tzinfo=UTC))
        record(org_a.tenant, "dated-bot", action="dated.event", target_label=f"day {day}")
    time_machine.move_to(today)  # the admin's password would have expired by 2031
    client = client_for(org_a.global_admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(EXPORT, {"action": "dated.event", "since": "2031-03-02", "until": "2031-03-03"})

    job = Job.objects.get(tenant=org_a.tenant, kind="audit_export")
    assert job.params == {"action": "dated.event", "since": "2031-03-02", "until": "2031-03-03"}
    assert [row[6] for row in download_rows(client, job)[1:]] == ["day 2", "day 3"]


def test_export_must_be_posted(org_a, client_for):
    assert client_for(org_a.global_admin).get(EXPORT).status_code == 405
    assert not Job.objects.filter(tenant=org_a.tenant).exists()


def test_an_invalid_date_range_keeps_the_other_filters(org_a, client_for):
    record(org_a.tenant, actor_label="alice@example.net")
    record(org_a.tenant, actor_label="bob@example.net")
    response = client_for(org_a.global_admin).get(LOG, {"actor": "alice", "since": "2026-02-02", "until": "2026-02-01"})
    assert "The end date is before the start date." in response.content.decode()
    labels = {event.actor_label for event in response.context["page"].items}
    assert labels == {"alice@example.net"}

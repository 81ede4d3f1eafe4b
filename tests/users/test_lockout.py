"""Sign-in protection: lockout after repeated failures, the growing wait, the audit, the locks page and Unlock."""

import re
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tenantadmin.models import AuditEvent
from tests.factories import make_user
from users.lockout import LONGEST_WAIT, cooloff, current_wait, wait_after
from users.password_services import signin_locked, signin_locks

pytestmark = pytest.mark.django_db

WRONG = "Wrong#Password1"
T0 = datetime(2030, 3, 4, 9, 0, tzinfo=dt_timezone.utc)


def sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("users:signin"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def lock(client, username, settings, ip="10.0.0.1"):
    responses = [sign_in(client, username, WRONG, ip) for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert [r.status_code for r in responses] == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]


def audit_count(tenant, action):
    return AuditEvent.objects.filter(tenant=tenant, action=action).count()


@pytest.mark.parametrize("lockouts, minutes", [(0, 5), (1, 5), (2, 10), (3, 20), (4, 40), (5, 80), (6, 120), (7, 120),
                                               (1000, 120)])
def test_the_wait_starts_at_five_minutes_and_doubles_up_to_two_hours(lockouts, minutes):
    assert wait_after(lockouts) == timedelta(minutes=minutes)


def test_five_failures_lock_the_account_and_the_lock_is_audited_once(client, org_a, password, settings):
    lock(client, org_a.user.upn, settings)
    assert sign_in(client, org_a.user.upn, password).status_code == 429  # the right password is refused too
    sign_in(client, org_a.user.upn, WRONG)
    assert signin_locked(org_a.user)
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="user.signin_locked")
    assert event.target_id == str(org_a.user.pk) and event.actor_label == "sign-in protection"
    assert event.ip_address == "10.0.0.1" and event.changes == {"wait_minutes": [None, 5]}
    # Tries during the lock neither count as another lockout nor lengthen the wait.
    assert AccessFailureLog.objects.filter(username=org_a.user.upn, locked_out=True).count() == 1
    assert current_wait(org_a.user.upn) == timedelta(minutes=5)


def test_user_names_differing_in_case_count_as_one_account(client, org_a, settings):
    for variant in [org_a.user.upn.upper(), org_a.user.upn.title(), org_a.user.upn, f" {org_a.user.upn} ",
                    org_a.user.upn.capitalize()]:
        sign_in(client, variant, WRONG)
    assert signin_locked(org_a.user)


def test_a_second_lockout_within_a_day_waits_longer(client, org_a, password, settings, time_machine):
    upn = org_a.user.upn
    time_machine.move_to(T0, tick=False)
    lock(client, upn, settings)
    assert current_wait(upn) == timedelta(minutes=5)
    request = RequestFactory().post("/signin/", {"username": upn})
    assert cooloff(request) == timedelta(minutes=5)

    time_machine.move_to(T0 + timedelta(minutes=4, seconds=59), tick=False)
    assert sign_in(client, upn, password).status_code == 429
    time_machine.move_to(T0 + timedelta(minutes=5, seconds=1), tick=False)
    assert sign_in(client, upn, password).status_code == 302  # the first wait is over
    client.post(reverse("users:signout"))

    second = T0 + timedelta(hours=3)
    time_machine.move_to(second, tick=False)
    lock(client, upn, settings)
    assert current_wait(upn) == cooloff(request) == timedelta(minutes=10)
    latest_lock = AuditEvent.objects.filter(action="user.signin_locked").latest("occurred_at")
    assert latest_lock.changes["wait_minutes"] == [None, 10]
    time_machine.move_to(second + timedelta(minutes=5, seconds=1), tick=False)
    assert sign_in(client, upn, password).status_code == 429  # what ended the first lock is not enough now
    time_machine.move_to(second + timedelta(minutes=10, seconds=1), tick=False)
    assert sign_in(client, upn, password).status_code == 302


def test_lockouts_older_than_a_day_no_longer_lengthen_the_wait(client, org_a, settings, time_machine):
    time_machine.move_to(T0, tick=False)
    lock(client, org_a.user.upn, settings)
    time_machine.move_to(T0 + timedelta(hours=24, minutes=1), tick=False)
    lock(client, org_a.user.upn, settings)
    assert current_wait(org_a.user.upn) == timedelta(minutes=5)


def test_other_accounts_signing_in_do_not_cut_a_longer_lock_short(client, org_a, password, settings, time_machine):
    upn = org_a.user.upn
    time_machine.move_to(T0, tick=False)
    lock(client, upn, settings)
    time_machine.move_to(T0 + timedelta(minutes=6), tick=False)
    lock(client, upn, settings)  # the second lock: 10 minutes
    # Another person fails and then signs in from elsewhere 6 minutes later: axes tidies expired
    # attempts with that person's (5-minute) wait.
    time_machine.move_to(T0 + timedelta(minutes=12), tick=False)
    other = Client()
    sign_in(other, org_a.global_admin.upn, WRONG, ip="10.0.0.9")
    assert sign_in(other, org_a.global_admin.upn, password, ip="10.0.0.9").status_code == 302
    assert signin_locked(org_a.user)
    assert sign_in(client, upn, password).status_code == 429


def test_attempts_are_forgotten_after_the_longest_wait(client, org_a, settings, time_machine):
    time_machine.move_to(T0, tick=False)
    sign_in(client, org_a.user.upn, WRONG)
    time_machine.move_to(T0 + LONGEST_WAIT + timedelta(seconds=1), tick=False)
    sign_in(Client(), org_a.global_admin.upn, WRONG, ip="10.0.0.9")
    assert not AccessAttempt.objects.filter(username=org_a.user.upn).exists()


def _without_csrf(content: bytes) -> str:
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", content.decode())


def test_the_locked_page_is_the_same_for_an_existing_and_an_unknown_user_name(org_a, settings):
    existing, unknown = Client(), Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        first = sign_in(existing, org_a.user.upn, WRONG, ip="10.0.0.1")
        second = sign_in(unknown, f"nobody@{org_a.tenant.initial_domain}", WRONG, ip="10.0.0.2")
    assert first.status_code == second.status_code == 429
    assert _without_csrf(first.content) == _without_csrf(second.content)
    assert "Too many failed sign-in attempts" in first.content.decode()
    assert audit_count(org_a.tenant, "user.signin_locked") == 1


def test_failures_for_many_names_from_one_address_lock_the_address_not_the_accounts(client, org_a, password, settings):
    people = [make_user(org_a.tenant, f"spray{n}") for n in range(settings.AXES_FAILURE_LIMIT)]
    for person in people:
        sign_in(client, person.upn, WRONG, ip="10.0.0.7")
    assert sign_in(client, org_a.user.upn, password, ip="10.0.0.7").status_code == 429
    assert sign_in(Client(), org_a.user.upn, password, ip="10.0.0.8").status_code == 302
    assert audit_count(org_a.tenant, "user.signin_locked") == 0
    assert signin_locks(tenant=org_a.tenant) == {}


def test_the_locks_page_lists_locked_accounts_and_unlock_lets_them_in(client, org_a, password, settings, client_for):
    lock(Client(), org_a.user.upn, settings, ip="10.0.0.1")
    admin = client_for(org_a.password_admin)
    page = admin.get(reverse("users:signin_locks")).content.decode()
    assert org_a.user.upn in page and f'id="unlock-{org_a.user.pk}"' in page
    assert f'id="unlock-{org_a.global_admin.pk}"' not in page

    response = admin.post(reverse("users:signin_unlock", args=[org_a.user.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("users:signin_locks")
    assert not signin_locked(org_a.user)
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="user.signin_unlock")
    assert event.actor_id == org_a.password_admin.pk and event.target_id == str(org_a.user.pk)
    assert org_a.user.upn not in admin.get(reverse("users:signin_locks")).content.decode()
    assert sign_in(Client(), org_a.user.upn, password, ip="10.0.0.1").status_code == 302
    # Unlock also restarts the growing wait.
    assert current_wait(org_a.user.upn) == timedelta(minutes=5)


def test_unlock_returns_to_a_safe_next_page(org_a, settings, client_for):
    lock(Client(), org_a.user.upn, settings)
    admin = client_for(org_a.user_admin)
    url = reverse("users:signin_unlock", args=[org_a.user.pk])
    assert admin.post(url, {"next": reverse("users:list")})["Location"] == reverse("users:list")
    assert admin.post(url, {"next": "https://evil.example/"})["Location"] == reverse("users:signin_locks")


def test_roles_for_the_locks_page_and_unlock(org_a, settings, client_for):
    lock(Client(), org_a.user.upn, settings)
    service_admin = client_for(org_a.service_admin)
    page = service_admin.get(reverse("users:signin_locks")).content.decode()
    assert org_a.user.upn in page and "unlock-" not in page
    assert service_admin.post(reverse("users:signin_unlock", args=[org_a.user.pk])).status_code == 403
    assert signin_locked(org_a.user)
    assert client_for(org_a.billing_admin).get(reverse("users:signin_locks")).status_code == 403


def test_unlock_needs_post_and_another_organization_gets_404(org_a, org_b, settings, client_for):
    lock(Client(), org_a.user.upn, settings)
    url = reverse("users:signin_unlock", args=[org_a.user.pk])
    assert client_for(org_a.global_admin).get(url).status_code == 405
    assert client_for(org_b.global_admin).post(url).status_code == 404
    assert signin_locked(org_a.user)
    assert org_a.user.upn not in client_for(org_b.global_admin).get(reverse("users:signin_locks")).content.decode()


def test_the_locks_page_costs_the_same_queries_for_one_or_many_locks(org_a, settings, client_for):
    admin = client_for(org_a.global_admin)
    admin.get(reverse("users:signin_locks"))  # warm up the session
    people = [org_a.user] + [make_user(org_a.tenant, f"locked{n}") for n in range(3)]
    lock(Client(), people[0].upn, settings, ip="10.0.1.0")
    with CaptureQueriesContext(connection) as one:
        assert admin.get(reverse("users:signin_locks")).status_code == 200
    for n, person in enumerate(people[1:], start=1):
        lock(Client(), person.upn, settings, ip=f"10.0.1.{n}")
    with CaptureQueriesContext(connection) as many:
        page = admin.get(reverse("users:signin_locks")).content.decode()
    assert all(person.upn in page for person in people)
    # The session, the viewer, the viewer's roles, the locks, the locked people.
    assert len(one.captured_queries) == len(many.captured_queries) <= 5


def test_old_sign_in_failure_records_are_purged(org_a, client, time_machine):
    from users.tasks import purge_signin_logs

    client.post("/signin/", {"username": org_a.user.upn, "password": "Wrong#Password1"})
    assert AccessFailureLog.objects.count() == 1
    time_machine.move_to(datetime.now(dt_timezone.utc) + timedelta(days=3))
    assert purge_signin_logs()["failure_logs"] == 1
    assert not AccessFailureLog.objects.exists()

"""The purge (SPEC users/ "after 30 days it is purged for good (a periodic job)"): only after 30 days,
idempotent, audited as the system, fanned out per organization, and countable by the operator."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tenantadmin.celery import app as celery_app
from tenantadmin.models import AuditEvent
from tests.factories import make_user
from tests.users.lifecycle_helpers import ADMIN
from users.lifecycle_services import purge_due, user_delete, users_purge
from users.models import User
from users.tasks import purge_deleted_users

pytestmark = pytest.mark.django_db


@pytest.fixture
def deleted_long_ago(org_a):
    now = timezone.now()
    person = make_user(org_a.tenant, "gone")
    user_delete(user=person, actor=ADMIN, now=now - timedelta(days=31))
    recent = make_user(org_a.tenant, "recent")
    user_delete(user=recent, actor=ADMIN, now=now - timedelta(days=29))
    return person, recent, now


def test_purge_removes_only_accounts_deleted_30_days_ago(org_a, deleted_long_ago):
    person, recent, now = deleted_long_ago
    assert users_purge(tenant=org_a.tenant, now=now) == 1
    assert not User.objects.filter(pk=person.pk).exists()
    assert User.objects.filter(pk=recent.pk).exists()
    event = AuditEvent.objects.get(action="user.purge", target_id=str(person.pk))
    assert event.actor_type == "system" and event.actor_id is None


def test_purge_is_idempotent(org_a, deleted_long_ago):
    _person, _recent, now = deleted_long_ago
    assert users_purge(tenant=org_a.tenant, now=now) == 1
    assert users_purge(tenant=org_a.tenant, now=now) == 0
    assert AuditEvent.objects.filter(action="user.purge").count() == 1


def test_later_now_purges_the_rest(org_a, deleted_long_ago):
    _person, recent, now = deleted_long_ago
    assert users_purge(tenant=org_a.tenant, now=now + timedelta(days=2)) == 2
    assert not User.objects.filter(pk=recent.pk).exists()


def test_periodic_task_fans_out_per_organization(org_a, org_b, deleted_long_ago):
    _person, _recent, now = deleted_long_ago
    other = make_user(org_b.tenant, "other")
    user_delete(user=other, actor=ADMIN, now=now - timedelta(days=40))
    assert purge_deleted_users.delay(now.isoformat()).get() == 2  # eager: the per-organization tasks ran too
    assert not purge_due(now=now).exists()
    assert "users.tasks.purge_deleted_users" in {entry["task"] for entry in celery_app.conf.beat_schedule.values()}


def test_operator_sees_the_count_and_can_purge(org_a, deleted_long_ago):
    _person, _recent, now = deleted_long_ago
    out = StringIO()
    call_command("purge_deleted_users", "--dry-run", "--as-of", now.isoformat(), stdout=out)
    assert out.getvalue().startswith("1 deleted account(s) due for purge")
    assert User.objects.filter(tenant=org_a.tenant, deleted_at__isnull=False).count() == 2
    out = StringIO()
    call_command("purge_deleted_users", "--as-of", now.isoformat(), stdout=out)
    assert "1 account(s) purged." in out.getvalue()

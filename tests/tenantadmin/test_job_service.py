"""The job runner: claiming, failure states, idempotence, and a finished job whatever the mail does."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tenantadmin.models import Job
from tenantadmin.services import jobs as job_service

pytestmark = pytest.mark.django_db


def new_job(org, **fields):
    return Job.objects.create(tenant=org.tenant, created_by=org.global_admin, kind="test", title="Test job", **fields)


def counting_work(job, progress):
    progress.set_total(3)
    for _ in range(3):
        progress.advance()
    return {"message": "done"}


def test_a_job_runs_once_and_a_second_run_is_a_no_op(org_a, mailoutbox, django_capture_on_commit_callbacks):
    job = new_job(org_a)
    with django_capture_on_commit_callbacks(execute=True):
        finished = job_service.job_run(job.pk, counting_work)
    assert finished.status == Job.Status.SUCCEEDED and finished.done == 3 and finished.percent == 100
    assert job_service.job_run(job.pk, counting_work) is None
    assert len(mailoutbox) == 1 and "Test job" in mailoutbox[0].subject


def test_a_failing_job_ends_failed_with_the_reason(org_a):
    def broken(job, progress):
        progress.set_total(10)
        progress.advance()
        raise RuntimeError("disk full")

    finished = job_service.job_run(new_job(org_a).pk, broken)
    assert finished.status == Job.Status.FAILED and "disk full" in finished.message and finished.finished_at


def test_items_that_fail_make_the_job_partial(org_a):
    def some_fail(job, progress):
        progress.set_total(2)
        progress.advance(done=1)
        progress.advance(done=1, failed=1)
        return {}

    assert job_service.job_run(new_job(org_a).pk, some_fail).status == Job.Status.PARTIAL


def test_a_mail_problem_does_not_leave_the_job_running(org_a, monkeypatch):
    def refuse(job):
        raise RuntimeError("template missing")

    monkeypatch.setattr(job_service, "_mail_job_finished", refuse)
    finished = job_service.job_run(new_job(org_a).pk, counting_work)
    assert Job.objects.get(pk=finished.pk).status == Job.Status.SUCCEEDED


def test_a_running_job_is_reclaimed_only_once_stale(org_a):
    fresh = new_job(org_a, status=Job.Status.RUNNING, started_at=timezone.now())
    assert job_service.job_run(fresh.pk, counting_work) is None
    stale = new_job(org_a, status=Job.Status.RUNNING, started_at=timezone.now() - timedelta(hours=1))
    assert job_service.job_run(stale.pk, counting_work).status == Job.Status.SUCCEEDED


def test_expired_jobs_and_their_files_are_purged(org_a, settings):
    old = new_job(org_a, status=Job.Status.SUCCEEDED, finished_at=timezone.now() - timedelta(days=15))
    path = job_service.job_file_path(old, "result.csv")
    path.write_text("x")
    recent = new_job(org_a, status=Job.Status.SUCCEEDED, finished_at=timezone.now())
    assert job_service.jobs_purge_expired() == 1
    assert not path.exists() and not Job.objects.filter(pk=old.pk).exists()
    assert Job.objects.filter(pk=recent.pk).exists()

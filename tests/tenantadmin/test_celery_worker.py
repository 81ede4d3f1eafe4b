"""The background-job pipeline with a real Celery worker, not eager mode.

The worker runs in a thread of the test process against the broker the settings configure: Redis
when REDIS_URL is set (the PostgreSQL pass of bin/test), otherwise the file-system transport of the
embedded default. Every wait has a deadline so a broken pipeline fails the test instead of hanging CI.
"""

import csv
import time

import kombu.pools
import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail

from tenantadmin.actors import Actor
from tenantadmin.celery import app
from tenantadmin.models import AuditEvent, Job
from tenantadmin.services.audit_export import HEADER
from tenantadmin.services.jobs import job_start
from tenantadmin.tasks import export_audit_log, send_mail_task
from tests.factories import make_tenant

DEADLINE_SECONDS = 30


def wait_for_task(finished_tasks: list, task, where=lambda args: True, *, count: int = 1) -> str:
    """Wait until the worker has finished `task` with arguments `where` accepts `count` times; return
    the state of the last run.

    The test reads the database only while the worker is idle: the in-memory SQLite test database
    is shared between threads through a shared cache, where a concurrent read fails at once with
    "table is locked" instead of waiting.
    """
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        runs = [state for name, args, state in finished_tasks if name == task.name and where(args)]
        if len(runs) >= count:
            return runs[-1]
        if time.monotonic() > deadline:
            pytest.fail(f"the worker did not finish {task.name} within {DEADLINE_SECONDS} s")
        time.sleep(0.1)


@pytest.fixture
def finished_tasks():
    """(task name, arguments, state) of every task the worker finishes, in order."""
    finished = []

    def record(sender=None, args=None, state=None, **kwargs):
        finished.append((sender.name, tuple(args or ()), state))

    task_postrun.connect(record, weak=False)
    yield finished
    task_postrun.disconnect(record)


def drop_broker_connections():
    """Close pooled broker connections and producers, which keep the broker options they were made with."""
    # The resets kombu and Celery run in a forked child, whose inherited connections must not be reused.
    kombu.pools.reset()
    app._after_fork()


@pytest.fixture
def real_worker(tmp_path):
    overrides = {
        "task_always_eager": False,
        # The worker would otherwise take over the root logger that pytest captures through.
        "worker_hijack_root_logger": False,
    }
    if not settings.REDIS_URL:
        # A folder of this test's own, so no message another test left behind is consumed.
        folders = {name: tmp_path / "broker" / name for name in ("queue", "processed", "control")}
        for folder in folders.values():
            folder.mkdir(parents=True)
        overrides["broker_transport_options"] = {
            **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            "data_folder_in": str(folders["queue"]), "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]), "control_folder": str(folders["control"]),
        }
    saved = {key: app.conf[key] for key in overrides}
    app.conf.update(overrides)
    drop_broker_connections()
    try:
        # Bounded: start_worker itself waits for the broker without a limit.
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=3, interval_start=0.5, interval_step=0.5)
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=DEADLINE_SECONDS) as worker:
            yield worker
    finally:
        app.conf.update(saved)
        drop_broker_connections()


# transaction=True: the worker thread has its own database connection and sees only committed rows.
@pytest.mark.django_db(transaction=True)
def test_audit_export_job_runs_on_a_real_worker_and_mails_the_admin(real_worker, finished_tasks):
    # No plan: an earlier transactional test may have flushed the plans the billing migration loads.
    tenant, admin = make_tenant("workerorg", plan=None)

    job = job_start(tenant=tenant, actor=Actor.for_user(admin), kind="audit_export", title="Audit log export",
                    task=export_audit_log, params={})

    def this_job(args):
        return args == (str(job.pk),)

    def to_admin(args):
        return args[0] == [admin.alternate_email]

    assert wait_for_task(finished_tasks, export_audit_log, this_job) == "SUCCESS"
    # The finished-job mail is queued when the job's last transaction commits, so it comes next.
    assert wait_for_task(finished_tasks, send_mail_task, to_admin) == "SUCCESS"
    job.refresh_from_db()
    events = AuditEvent.objects.filter(tenant=tenant).count()
    assert (job.status, job.message) == (Job.Status.SUCCEEDED, f"{events} events exported.")
    assert job.done == job.total == events > 1
    with (settings.PRIVATE_FILES_ROOT / job.result_file).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == HEADER
    assert len(rows) == events + 1
    assert "job.start" in {row[3] for row in rows[1:]}
    [finished_mail] = [message for message in mail.outbox if message.to == [admin.alternate_email]]
    assert "Audit log export" in finished_mail.subject

    # A second delivery of the same message (acks_late makes that possible) must change nothing.
    finished_at = job.finished_at
    export_audit_log.delay(str(job.pk))
    assert wait_for_task(finished_tasks, export_audit_log, this_job, count=2) == "SUCCESS"
    job.refresh_from_db()
    assert (job.status, job.finished_at, job.done) == (Job.Status.SUCCEEDED, finished_at, events)
    assert [to_admin(args) for name, args, _state in finished_tasks if name == send_mail_task.name] == [True]

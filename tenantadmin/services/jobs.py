"""Long work as Job rows: create and enqueue, claim, report progress, finish, mail the starter."""

import logging
import shutil
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tenantadmin.actors import Actor
from tenantadmin.mail import mail_after_commit
from tenantadmin.models import Job
from tenantadmin.services.audit import audit_record

logger = logging.getLogger(__name__)

# A job still "running" after this long is taken to have lost its worker and may be re-claimed.
STALE_AFTER = timedelta(minutes=30)
JOB_RETENTION_DAYS = 14


@transaction.atomic
def job_start(*, tenant, actor: Actor, kind: str, title: str, task, params: dict | None = None) -> Job:
    """Create a queued job and enqueue `task(job_id)` once the transaction commits."""
    job = Job.objects.create(tenant=tenant, created_by=actor.user, kind=kind, title=title, params=params or {})
    audit_record(tenant=tenant, actor=actor, action="job.start", target=job, changes={"kind": [None, kind]})
    transaction.on_commit(lambda: task.delay(str(job.pk)))
    return job


def job_file_path(job: Job, filename: str) -> Path:
    folder = settings.PRIVATE_FILES_ROOT / "jobs" / str(job.tenant_id) / str(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / filename


class Progress:
    """Handed to a job's work function; writes progress at most twice a second."""

    def __init__(self, job: Job):
        self.job = job
        self._last_write = 0.0

    def set_total(self, total: int) -> None:
        self.job.total = total
        Job.objects.filter(pk=self.job.pk).update(total=total)

    def advance(self, done: int = 1, failed: int = 0) -> None:
        self.job.done += done
        self.job.failed += failed
        now = time.monotonic()
        if now - self._last_write >= 0.5 or self.job.done >= self.job.total:
            self._last_write = now
            Job.objects.filter(pk=self.job.pk).update(done=self.job.done, failed=self.job.failed)


def _claim(job_id) -> Job | None:
    """Mark a queued (or stale running) job as running; None when another worker has it or it is done."""
    now = timezone.now()
    claimable = Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING, started_at__lt=now - STALE_AFTER)
    claimed = Job.objects.filter(claimable, pk=job_id).update(
        status=Job.Status.RUNNING, started_at=now, done=0, failed=0, message="",
    )
    if not claimed:
        return None
    return Job.objects.select_related("tenant", "created_by").get(pk=job_id)


def job_run(job_id, work: Callable[[Job, Progress], dict]) -> Job | None:
    """Run `work(job, progress)` for a claimable job. `work` returns the fields to store at the end
    (message, result_file, result_filename, status) and must be safe to run again."""
    job = _claim(job_id)
    if job is None:
        logger.info("job %s is not claimable (already running or finished)", job_id)
        return None
    progress = Progress(job)
    try:
        outcome = work(job, progress) or {}
    except Exception as exc:  # the job must end in a state the admin can read, whatever went wrong
        logger.exception("job %s failed", job_id)
        outcome = {"status": Job.Status.FAILED, "message": _("The job stopped with an error: %(error)s") % {"error": exc}}
    status = outcome.pop("status", Job.Status.PARTIAL if job.failed else Job.Status.SUCCEEDED)
    Job.objects.filter(pk=job.pk).update(status=status, finished_at=timezone.now(), done=job.done,
                                         failed=job.failed, **outcome)
    job.refresh_from_db()
    # The job is finished whatever happens to the mail: a mail problem must not leave it "running".
    try:
        with transaction.atomic():
            _mail_job_finished(job)
    except Exception:
        logger.exception("job %s finished but its mail could not be queued", job_id)
    return job


def _mail_job_finished(job: Job) -> None:
    if job.created_by and job.created_by.alternate_email:
        mail_after_commit(
            to=[job.created_by.alternate_email],
            subject=_("%(title)s: %(status)s") % {"title": job.title, "status": job.get_status_display()},
            template="tenantadmin/mail/job_finished", language=job.created_by.language or "en",
            context={"job": job, "job_url": reverse("tenantadmin:job_detail", args=[job.pk])},
            tenant=job.tenant, category="jobs",
        )


def jobs_purge_expired(*, now=None) -> int:
    """Delete finished jobs older than JOB_RETENTION_DAYS and their files."""
    now = now or timezone.now()
    old = Job.objects.filter(status__in=Job.FINISHED, finished_at__lt=now - timedelta(days=JOB_RETENTION_DAYS))
    count = 0
    for job in old.iterator():
        shutil.rmtree(settings.PRIVATE_FILES_ROOT / "jobs" / str(job.tenant_id) / str(job.pk), ignore_errors=True)
        count += Job.objects.filter(pk=job.pk).delete()[0]
    return count

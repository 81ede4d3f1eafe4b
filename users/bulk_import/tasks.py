"""Celery tasks of the bulk import: take a job id, run the work through tenantadmin's job runner.

The runner claims the job with a conditional update, so a task delivered twice runs once; the import
resumes after its last committed batch if a worker was lost (see work.py)."""

from celery import shared_task

from tenantadmin.services.jobs import job_run
from users.bulk_import.work import import_work, verify_work


@shared_task(acks_late=True)
def users_import_verify(job_id: str) -> None:
    job_run(job_id, verify_work)


@shared_task(acks_late=True)
def users_import_run(job_id: str) -> None:
    job_run(job_id, import_work)

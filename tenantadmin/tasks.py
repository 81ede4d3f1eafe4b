"""Celery tasks of the core app: thin wrappers that take ids and call services."""

import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from tenantadmin.services.audit_export import audit_export_work
from tenantadmin.services.jobs import job_run, jobs_purge_expired


@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=30, max_retries=8)
def send_mail_task(to: list[str], subject: str, text: str, html: str, headers: dict | None = None) -> None:
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, headers=headers or {})
    message.attach_alternative(html, "text/html")
    message.send()


@shared_task(acks_late=True)
def export_audit_log(job_id: str) -> None:
    job_run(job_id, audit_export_work)


@shared_task
def purge_expired_jobs() -> int:
    return jobs_purge_expired()

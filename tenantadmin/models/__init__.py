"""Core tables: organizations, their settings, the audit log, jobs and API app registrations."""

from tenantadmin.models.app_registrations import AppRegistration, AppSecret
from tenantadmin.models.audit import AuditEvent
from tenantadmin.models.jobs import Job
from tenantadmin.models.mail import MailSuppression
from tenantadmin.models.tenant import ServiceSettings, Tenant

__all__ = ["AppRegistration", "AppSecret", "AuditEvent", "Job", "MailSuppression", "ServiceSettings", "Tenant"]

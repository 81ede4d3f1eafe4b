"""tenantadmin: the project package and the core app (tenants, roles, audit, jobs, API plumbing)."""

from tenantadmin.celery import app as celery_app

__all__ = ["celery_app"]

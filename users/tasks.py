"""Celery tasks of the users app: thin wrappers around services."""

from axes.handlers.proxy import AxesProxyHandler
from celery import shared_task

# Lockouts escalate over 24 hours (users/lockout.py), so failure records older than two days no
# longer matter; sign-in logs are kept a month for support questions.
FAILURE_LOG_DAYS = 2
ACCESS_LOG_DAYS = 30


@shared_task
def purge_signin_logs() -> dict:
    return {
        "failure_logs": AxesProxyHandler.reset_failure_logs(age_days=FAILURE_LOG_DAYS),
        "access_logs": AxesProxyHandler.reset_logs(age_days=ACCESS_LOG_DAYS),
    }

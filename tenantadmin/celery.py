"""The Celery application and the one place where periodic schedules live.

Each beat entry says why it exists. Periodic tasks fan out one small task per object so a
large tenant cannot starve a small one.
"""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenantadmin.settings")

app = Celery("tenantadmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _create_broker_folders(sender, **kwargs):
    # The file-system broker of the embedded default fails on a missing folder; both the web
    # process (which sends) and the worker (which reads) configure the app, so both create them.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)

app.conf.beat_schedule = {
    # Finished jobs keep their result files for JOB_RETENTION_DAYS; then the files and rows go.
    "purge-expired-jobs": {
        "task": "tenantadmin.tasks.purge_expired_jobs",
        "schedule": 3600.0,
    },
    # Sign-in failure records only matter for the 24-hour lockout escalation; keep the tables small.
    "purge-signin-logs": {
        "task": "users.tasks.purge_signin_logs",
        "schedule": 24 * 3600.0,
    },
    # Pending domains are checked for their verification record with back-off for 72 hours; this
    # only dispatches the due ones (spread over the interval), so it runs every minute.
    "poll-pending-domains": {
        "task": "domains.tasks.poll_pending_domains",
        "schedule": 60.0,
    },
    # Verified domains whose NS records now point at our name servers become hosted zones.
    "detect-dns-delegations": {
        "task": "domains.tasks.detect_delegations",
        "schedule": 900.0,
    },
    # Verified domains hosted here or kept at the admin's DNS host get their name servers and service records
    # checked over live DNS about once a day (the Domains list's health); hourly, each run takes 1/24 of them,
    # least recently checked first, one task per domain spread over the hour (domains/service_checks.py).
    "check-domain-services": {
        "task": "domains.tasks.check_domain_services",
        "schedule": 3600.0,
    },
    # Zone pushes to PowerDNS that failed (server down) or never ran are retried until they succeed.
    "retry-zone-pushes": {
        "task": "domains.tasks.retry_zone_pushes",
        "schedule": 120.0,
    },
    # Domain removals that failed (e.g. the DNS zone could not be deleted) are started again.
    "retry-domain-removals": {
        "task": "domains.tasks.retry_domain_removals",
        "schedule": 900.0,
    },
    # Subscription lifecycle (renewals, trial expiry, Warning → Suspended → Deleted): hourly, so a
    # subscription moves within the hour its date comes; one task per due subscription.
    "billing-lifecycle-sweep": {
        "task": "billing.tasks.lifecycle_sweep",
        "schedule": 3600.0,
    },
    # SPEC users/ "Delete and restore": deleted accounts are purged for good after 30 days. Hourly, so an
    # account goes within the hour its 30 days end; fans out one task per organization.
    "purge-deleted-users": {
        "task": "users.tasks.purge_deleted_users",
        "schedule": 3600.0,
    },
}

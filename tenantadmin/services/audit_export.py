"""The audit log as a CSV file, written by a background job (logs can hold millions of rows)."""

import csv
from datetime import UTC, date

from django.conf import settings

from django.utils import timezone
from django.utils.translation import gettext as _

from tenantadmin.csvsafe import safe_row
from tenantadmin.models import Job
from tenantadmin.selectors import audit_event_list
from tenantadmin.services.jobs import Progress, job_file_path

HEADER = ["Time (UTC)", "Actor", "Actor type", "Action", "Object type", "Object ID", "Object", "Changes", "IP address"]


def audit_export_work(job: Job, progress: Progress) -> dict:
    """Write every event matching the job's filters; safe to run again (the file is rewritten)."""
    params = job.params
    events = audit_event_list(
        tenant=job.tenant, actor=params.get("actor", ""), action=params.get("action", ""),
        since=date.fromisoformat(params["since"]) if params.get("since") else None,
        until=date.fromisoformat(params["until"]) if params.get("until") else None,
    ).order_by("occurred_at", "id")
    progress.set_total(events.count())
    path = job_file_path(job, "audit-log.csv")
    # utf-8-sig: spreadsheet programs recognise the encoding from the byte-order mark.
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for event in events.iterator(chunk_size=2000):
            changes = "; ".join(f"{field}: {before!r} → {after!r}" for field, before, after in event.change_pairs)
            writer.writerow(safe_row([
                event.occurred_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"), event.actor_label,
                event.actor_type, event.action, event.target_type, event.target_id, event.target_label, changes,
                event.ip_address or "",
            ]))
            progress.advance()
    return {
        "result_file": str(path.relative_to(settings.PRIVATE_FILES_ROOT)),
        "result_filename": f"audit-log-{timezone.now():%Y%m%d-%H%M}.csv",
        "message": _("%(count)d events exported.") % {"count": job.done},
    }

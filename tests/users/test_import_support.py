"""Helpers of the bulk import tests (no tests here): real CSV files in the accepted encodings, and the
wizard driven through the portal like an admin would."""

import codecs
import csv
import io
from pathlib import Path

from django.urls import reverse

from tenantadmin.models import Job
from users.bulk_import.columns import HEADER


def user_row(alias: str, domain: str, display_name: str | None = None, **cells) -> list[str]:
    """A full 15-column row; `cells` override columns by field name (first_name=…, street=…)."""
    from users.bulk_import.columns import COLUMNS

    values = {"upn": f"{alias}@{domain}", "first_name": alias.title(), "last_name": "Tester",
              "display_name": display_name if display_name is not None else f"{alias.title()} Tester",
              "job_title": "Engineer", "department": "R&D", "city": "Utrecht", "country_name": "Netherlands"}
    values.update(cells)
    return [values.get(column.field, "") for column in COLUMNS]


def csv_bytes(rows, *, encoding: str = "utf-8", header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    if encoding == "utf-16-be":  # Python writes no mark for an explicit byte order; spreadsheet files have one
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode(encoding)  # "utf-16" writes a byte-order mark, "utf-8-sig" too


def write_csv(folder: Path, rows, *, name: str = "users.csv", **options) -> Path:
    path = folder / name
    path.write_bytes(csv_bytes(rows, **options))
    return path


def upload(client, path: Path):
    with path.open("rb") as handle:
        return client.post(reverse("users:import"), {"file": handle})


def last_job(tenant, kind: str) -> Job:
    return Job.objects.filter(tenant=tenant, kind=kind).order_by("-created_at").first()


def verify(client, tenant, path: Path, capture) -> Job:
    """Upload `path` and run its verification job (tasks run eagerly once the upload commits)."""
    with capture(execute=True):
        response = upload(client, path)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = last_job(tenant, "users.import.verify")
    assert response.url == reverse("users:import_verify", args=[job.pk])
    return job


def run_wizard(client, tenant, verify_job: Job, capture, *, sign_in: str = "allowed", country: str = "NL",
               skus=(), notify: str = "") -> Job:
    """Settings → licenses → send results → the import job (run eagerly); returns the finished import job."""
    response = client.post(reverse("users:import_settings", args=[verify_job.pk]),
                           {"sign_in": sign_in, "usage_location": country})
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(reverse("users:import_licenses", args=[verify_job.pk]), {"skus": [str(s.pk) for s in skus]})
    assert response.status_code == 302, response.content.decode()[:3000]
    with capture(execute=True):
        response = client.post(reverse("users:import_send", args=[verify_job.pk]), {"notify": notify})
    assert response.status_code == 302, response.content.decode()[:3000]
    job = last_job(tenant, "users.import.run")
    assert response.url == reverse("users:import_results", args=[job.pk])
    job.refresh_from_db()
    return job


def read_csv(data) -> list[list[str]]:
    """The rows of a CSV body: bytes, or a (file) response."""
    if hasattr(data, "streaming_content"):
        data = b"".join(data.streaming_content)
    elif hasattr(data, "content"):
        data = data.content
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))

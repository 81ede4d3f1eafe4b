"""Bulk import, the file as a whole: accepted encodings, and clear messages for files that cannot be
imported at all (nothing is created, no job starts)."""

import struct
import zlib

import pytest
from django.urls import reverse

from tenantadmin.models import Job
from tests.users.test_import_support import csv_bytes, last_job, read_csv, upload, user_row, verify, write_csv
from users.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be"])
def test_utf8_with_or_without_bom_and_utf16_with_bom_are_read(encoding, org_a, client_for, tmp_path,
                                                              django_capture_on_commit_callbacks):
    domain = org_a.tenant.initial_domain
    rows = [user_row("zoë", domain, "Zoë Ångström"), user_row("li", domain, "李 小龙", street="Straße 1\nHinterhaus")]
    path = write_csv(tmp_path, rows, encoding=encoding)
    job = verify(client_for(org_a.user_admin), org_a.tenant, path, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    # "zoë" is not a valid alias (letters a-z only), so one row fails; the non-ASCII display name decodes.
    assert (job.status, job.params["valid"], job.params["invalid"]) == (Job.Status.PARTIAL, 1, 1)
    assert job.params["encoding"] == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig"}.get(encoding, "utf-16")
    assert not User.objects.filter(upn__startswith="li@").exists()  # verification creates nothing


def _png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


@pytest.mark.parametrize("content, message", [
    (b"", "The file is empty"),
    (b"\r\n\r\n", "The file is empty"),
    (csv_bytes([]), "has a header row but no users"),
    (_png(), "UTF-8 (with or without byte-order mark) or as UTF-16 with a byte-order mark"),
    ("User Name,Display Name\r\nä@x,y\r\n".encode("latin-1"), "is not valid text"),
    # UTF-16 without a byte-order mark cannot be told from binary data.
    (csv_bytes([user_row("a", "b.example")]).decode().encode("utf-16-le"), "holds binary data"),
    ("User Name;First Name;Last Name\r\na@b;A;B\r\n".encode(), "separated by semicolons or tabs"),
    (b"User Name,Display Name\r\na@b.example,A\r\n", "The header row has 2 columns"),
])
def test_a_file_that_cannot_be_imported_gets_a_clear_message_and_starts_nothing(
        content, message, org_a, client_for, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    response = upload(client_for(org_a.user_admin), path)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Job.objects.filter(tenant=org_a.tenant, kind="users.import.verify").exists()
    assert not list((tmp_path / "private").rglob("*.csv"))  # nothing of the upload is kept


def test_a_file_over_the_size_limit_is_refused_with_the_limit(org_a, client_for, tmp_path, settings):
    settings.USERS_IMPORT_MAX_BYTES = 2000
    rows = [user_row(f"user{n}", org_a.tenant.initial_domain) for n in range(40)]
    response = upload(client_for(org_a.user_admin), write_csv(tmp_path, rows))
    page = response.content.decode()
    assert response.status_code == 200 and "the largest file you can import is 2.0\xa0KB" in page
    assert not Job.objects.filter(tenant=org_a.tenant).exists()


def test_bad_text_after_the_first_lines_fails_the_verification_job_with_the_line(
        org_a, client_for, tmp_path, django_capture_on_commit_callbacks):
    domain = org_a.tenant.initial_domain
    good = csv_bytes([user_row(f"user{n}", domain) for n in range(400)])
    path = tmp_path / "mixed.csv"
    path.write_bytes(good + b"broken\xff\xfe@" + domain.encode() + b",A,B,C,,,,,,,,,,,\r\n")
    job = verify(client_for(org_a.user_admin), org_a.tenant, path, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "Line 402 is not valid text" in job.message
    page = client_for(org_a.user_admin).get(reverse("users:import_verify", args=[job.pk])).content.decode()
    assert "Line 402 is not valid text" in page and reverse("users:import_settings", args=[job.pk]) not in page


def test_quoted_fields_may_hold_commas_and_line_breaks(org_a, client_for, tmp_path, django_capture_on_commit_callbacks):
    domain = org_a.tenant.initial_domain
    rows = [user_row("anna", domain, "Smith, Anna", street="Main street 1\r\nBuilding B, floor 2"),
            user_row("bert", domain)]
    job = verify(client_for(org_a.user_admin), org_a.tenant, write_csv(tmp_path, rows), django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.params["valid"], job.params["invalid"], job.total) == (2, 0, 2)


def test_the_blank_template_and_the_sample_are_real_csv_files(org_a, client_for):
    client = client_for(org_a.user_admin)
    template = client.get(reverse("users:import_template"))
    assert template["Content-Type"].startswith("text/csv") and "attachment" in template["Content-Disposition"]
    assert read_csv(template.content) == [["User Name", "First Name", "Last Name", "Display Name", "Job Title",
                                           "Department", "Office Number", "Office Phone", "Mobile Phone", "Fax",
                                           "Address", "City", "State or Province", "ZIP or Postal Code",
                                           "Country or Region"]]
    sample = read_csv(client.get(reverse("users:import_sample")).content)
    assert len(sample) == 6 and all(len(row) == 15 for row in sample)
    assert sample[1][0] == f"chris@{org_a.tenant.initial_domain}"


def test_the_sample_file_passes_verification(org_a, client_for, tmp_path, django_capture_on_commit_callbacks):
    client = client_for(org_a.user_admin)
    path = tmp_path / "sample.csv"
    path.write_bytes(client.get(reverse("users:import_sample")).content)
    job = verify(client, org_a.tenant, path, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.params["valid"], job.params["invalid"]) == (Job.Status.SUCCEEDED, 5, 0)
    assert last_job(org_a.tenant, "users.import.verify") == job

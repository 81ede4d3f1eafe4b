"""The import job at scale and under races: batches with progress, licenses that run out after
verification, and a re-run after a lost worker that creates nobody twice."""

import pytest
from django.urls import reverse

from billing.models import Sku
from tenantadmin.actors import Actor
from tenantadmin.models import Job
from tests.factories import make_user
from tests.users.test_import_support import last_job, read_csv, user_row, verify, write_csv
from users.bulk_import import work
from users.bulk_import.services import import_start
from users.bulk_import.tasks import users_import_run
from users.licenses import license_units, licenses_change
from users.models import LicenseAssignment, User

pytestmark = pytest.mark.django_db


def test_a_file_of_thousands_of_rows_is_imported_in_batches_with_progress(
        org_a, client_for, tmp_path, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    domain = org_a.tenant.initial_domain
    rows = [user_row(f"bulk{n:05d}", domain, f"Bulk User {n}") for n in range(3000)]
    rows[1500] = user_row("bulk00007", domain)  # a duplicate in the middle of the file
    client = client_for(org_a.user_admin)
    verify_job = verify(client, org_a.tenant, write_csv(tmp_path, rows), django_capture_on_commit_callbacks)
    verify_job.refresh_from_db()
    assert (verify_job.total, verify_job.done, verify_job.failed) == (3000, 3000, 1)

    client.post(reverse("users:import_settings", args=[verify_job.pk]), {"sign_in": "allowed", "usage_location": "DE"})
    client.post(reverse("users:import_licenses", args=[verify_job.pk]), {})
    # Batches, not rows (per-row work would be thousands of queries); SQLite splits each bulk insert by
    # its parameter limit, PostgreSQL needs a few queries per batch.
    with django_assert_max_num_queries(220), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("users:import_send", args=[verify_job.pk]), {"notify": "ops@example.net"})
    job = last_job(org_a.tenant, "users.import.run")
    assert (job.status, job.total, job.done, job.failed, job.percent) == (Job.Status.PARTIAL, 3000, 3000, 1, 100)
    assert User.objects.filter(tenant=org_a.tenant, upn__startswith="bulk", usage_location="DE").count() == 2999
    log = read_csv(client.get(reverse("tenantadmin:job_download", args=[job.pk])))
    assert len(log) == 3001 and log[1501][:2] == ["1502", f"bulk00007@{domain}"]
    assert log[1501][3:] == ["Failed", "User Name: The user name is also on line 9 of the file; each user name can be used once."]
    passwords = read_csv(client.post(reverse("users:import_passwords", args=[job.pk])))
    assert len(passwords) == 3000 and len({row[2] for row in passwords[1:]}) == 2999
    page = client.get(reverse("users:import_results", args=[job.pk])).content.decode()
    assert 'id="count-created">2999<' in page and 'id="count-failed">1<' in page


def _verified_job(org, client_for, tmp_path, capture, count: int, prefix: str = "race") -> Job:
    domain = org.tenant.initial_domain
    rows = [user_row(f"{prefix}{n:02d}", domain) for n in range(count)]
    job = verify(client_for(org.user_admin), org.tenant, write_csv(tmp_path, rows), capture)
    job.refresh_from_db()
    return job


def test_rows_beyond_the_free_units_fail_when_licenses_went_after_verification(
        org_a, client_for, tmp_path, django_capture_on_commit_callbacks):
    plan = Sku.objects.get(part_number="ENTERPRISEPACK")
    verify_job = _verified_job(org_a, client_for, tmp_path, django_capture_on_commit_callbacks, 8)
    free = {u.sku.pk: u.free for u in license_units(tenant=org_a.tenant)}[plan.pk]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = import_start(verify_job=verify_job, actor=Actor.for_user(org_a.user_admin), sign_in_allowed=True,
                           usage_location="NL", skus=[plan], notify=[])
    # Before the worker picks the job up, others take all but five units.
    for n in range(free - 5):
        licenses_change(user=make_user(org_a.tenant, f"taker{n}", usage_location="NL"), actor=Actor.system(), add=[plan])
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    job.refresh_from_db()
    assert (job.status, job.done, job.failed) == (Job.Status.PARTIAL, 8, 3)
    created = User.objects.filter(tenant=org_a.tenant, upn__startswith="race")
    assert created.count() == 5 and LicenseAssignment.objects.filter(user__in=created, sku=plan).count() == 5
    log = read_csv(client_for(org_a.user_admin).get(reverse("tenantadmin:job_download", args=[job.pk])))
    assert [row[3] for row in log[1:]] == ["Created"] * 5 + ["Failed"] * 3
    assert "No free licenses of Office 365 Enterprise E3 were left" in log[-1][4]


def test_a_rerun_after_a_lost_worker_goes_on_after_the_last_committed_batch(
        org_a, client_for, tmp_path, django_capture_on_commit_callbacks, monkeypatch):
    verify_job = _verified_job(org_a, client_for, tmp_path, django_capture_on_commit_callbacks, 25, prefix="again")
    with django_capture_on_commit_callbacks(execute=False):
        job = import_start(verify_job=verify_job, actor=Actor.for_user(org_a.user_admin), sign_in_allowed=True,
                           usage_location="NL", skus=[], notify=[])
    monkeypatch.setattr(work, "BATCH_SIZE", 10)
    real_assign = work.licenses_assign_new_users
    calls = []

    def worker_dies_in_the_third_batch(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("worker lost")
        return real_assign(**kwargs)

    monkeypatch.setattr(work, "licenses_assign_new_users", worker_dies_in_the_third_batch)
    users_import_run(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.params["resume"]["line"] == 21
    assert User.objects.filter(tenant=org_a.tenant, upn__startswith="again").count() == 20

    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)  # what a stale-job re-claim amounts to
    users_import_run(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.done, job.failed) == (Job.Status.SUCCEEDED, 25, 0)
    assert User.objects.filter(tenant=org_a.tenant, upn__startswith="again").count() == 25
    client = client_for(org_a.user_admin)
    log = read_csv(client.get(reverse("tenantadmin:job_download", args=[job.pk])))
    assert [int(row[0]) for row in log[1:]] == list(range(2, 27))  # each row once, in order
    passwords = read_csv(client.post(reverse("users:import_passwords", args=[job.pk])))
    assert len(passwords) == 26 and passwords[0] == ["User name", "Display name", "Temporary password"]


def test_temporary_passwords_use_the_configured_algorithm_with_a_light_work_factor(
        org_a, client_for, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher",
                                 "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    verify_job = _verified_job(org_a, client_for, tmp_path, django_capture_on_commit_callbacks, 2, prefix="argon")
    with django_capture_on_commit_callbacks(execute=True):
        job = import_start(verify_job=verify_job, actor=Actor.for_user(org_a.user_admin), sign_in_allowed=True,
                           usage_location="NL", skus=[], notify=[])
    client = client_for(org_a.user_admin)
    client.get(reverse("users:import_results", args=[job.pk]))
    upn, _name, password = read_csv(client.post(reverse("users:import_passwords", args=[job.pk])))[1]
    user = User.objects.get(upn=upn)
    assert user.password.startswith("argon2$argon2id$v=19$m=8192,t=1,p=1$")
    assert user.check_password(password)  # and Django re-hashes it with the full work factor on the way
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")

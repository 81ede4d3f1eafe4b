"""The bulk import wizard in the portal: steps, settings, licenses, results mail, passwords shown once and
downloadable once, and who may use it (another organization gets 404, a role without user rights 403)."""

import pytest
from django.core import mail
from django.urls import reverse

from billing.models import Sku
from tenantadmin.models import AuditEvent, Job
from tests.factories import make_user
from tests.users.test_import_support import last_job, read_csv, run_wizard, upload, user_row, verify, write_csv
from users.licenses import license_units
from users.models import LicenseAssignment, RoleAssignment, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return Sku.objects.get(part_number="ENTERPRISEPACK")


def _three_users(org, tmp_path):
    domain = org.tenant.initial_domain
    return write_csv(tmp_path, [user_row("anna", domain, "Anna Berg", job_title="CFO", city="Delft"),
                                user_row("bert", domain, "=Bert+1", department="@SUM(1)"),
                                user_row("carl", domain, "Carl Dam")], encoding="utf-8-sig")


def test_the_wizard_creates_the_users_with_settings_licenses_and_mailed_results(
        org_a, client_for, tmp_path, plan, django_capture_on_commit_callbacks):
    client = client_for(org_a.user_admin)
    assert reverse("users:import") in client.get(reverse("users:list")).content.decode()
    verify_job = verify(client, org_a.tenant, _three_users(org_a, tmp_path), django_capture_on_commit_callbacks)
    page = client.get(reverse("users:import_verify", args=[verify_job.pk])).content.decode()
    assert 'id="count-valid">3<' in page and reverse("users:import_settings", args=[verify_job.pk]) in page
    free_before = {u.sku.pk: u.free for u in license_units(tenant=org_a.tenant)}[plan.pk]

    job = run_wizard(client, org_a.tenant, verify_job, django_capture_on_commit_callbacks, sign_in="blocked",
                     country="NL", skus=[plan], notify="it@example.net; boss@example.net")

    assert (job.status, job.total, job.done, job.failed) == (Job.Status.SUCCEEDED, 3, 3, 0)
    anna = User.objects.get(upn=f"anna@{org_a.tenant.initial_domain}")
    assert (anna.tenant, anna.display_name, anna.job_title, anna.city, anna.usage_location.code) == (
        org_a.tenant, "Anna Berg", "CFO", "Delft", "NL")
    assert not anna.is_active and anna.must_change_password
    bert = User.objects.get(upn=f"bert@{org_a.tenant.initial_domain}")
    assert (bert.display_name, bert.department) == ("=Bert+1", "@SUM(1)")  # kept as data
    new = User.objects.filter(tenant=org_a.tenant, upn__in=[anna.upn, bert.upn, f"carl@{org_a.tenant.initial_domain}"])
    assert LicenseAssignment.objects.filter(user__in=new, sku=plan).count() == 3
    assert {u.sku.pk: u.free for u in license_units(tenant=org_a.tenant)}[plan.pk] == free_before - 3
    assert not RoleAssignment.objects.filter(user__in=new).exists()
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="user.create", target_id=str(anna.pk)).exists()
    assert AuditEvent.objects.get(tenant=org_a.tenant, action="user.bulk_import").changes["created"] == [None, 3]

    # Passwords: listed on the first view of the finished results, never again.
    page = client.get(reverse("users:import_results", args=[job.pk])).content.decode()
    assert 'id="new-users"' in page and "Anna Berg" in page
    shown = {upn: password for upn, password in _password_cells(page)}
    assert anna.check_password(shown[anna.upn])
    assert 'id="new-users"' not in client.get(reverse("users:import_results", args=[job.pk])).content.decode()
    # … and downloadable once, as a CSV that neutralises formulas.
    rows = read_csv(client.post(reverse("users:import_passwords", args=[job.pk])))
    assert rows[0] == ["User name", "Display name", "Temporary password"] and len(rows) == 4
    assert rows[2][1] == "'=Bert+1" and bert.check_password(rows[2][2])
    again = client.post(reverse("users:import_passwords", args=[job.pk]), follow=True)
    assert "already downloaded and has been deleted" in again.content.decode()
    assert 'id="passwords-gone"' in again.content.decode()

    # The results mail: one message per address, with the passwords.
    results = [m for m in mail.outbox if m.subject.startswith("Bulk import of users")]
    assert sorted(m.to[0] for m in results) == ["boss@example.net", "it@example.net"]
    assert "3 created, 0 failed" in results[0].subject and shown[anna.upn] in results[0].body
    # The starter also gets the usual "job finished" mail of each job (verification and import).
    assert [m.to[0] for m in mail.outbox].count(org_a.user_admin.alternate_email) == 2
    log = read_csv(client.get(reverse("tenantadmin:job_download", args=[job.pk])))
    assert log[0] == ["Line", "User name", "Display name", "Result", "Message"]
    assert [row[3] for row in log[1:]] == ["Created"] * 3 and log[2][2] == "'=Bert+1"


def _password_cells(page: str):
    import re

    return re.findall(r"<tr><td>([^<]+)</td><td>[^<]*</td><td class=\"font-monospace\">([^<]+)</td></tr>", page)


def test_rows_with_errors_are_skipped_and_logged_as_failed(org_a, client_for, tmp_path,
                                                          django_capture_on_commit_callbacks):
    client = client_for(org_a.user_admin)
    domain = org_a.tenant.initial_domain
    path = write_csv(tmp_path, [user_row("good", domain), user_row("plain", domain), user_row("bad", "nowhere.example")],
                     encoding="utf-16")
    verify_job = verify(client, org_a.tenant, path, django_capture_on_commit_callbacks)
    page = client.get(reverse("users:import_verify", args=[verify_job.pk])).content.decode()
    assert "Go on with the 1 valid user" in page and 'id="download-errors"' in page
    job = run_wizard(client, org_a.tenant, verify_job, django_capture_on_commit_callbacks)
    assert (job.status, job.done, job.failed) == (Job.Status.PARTIAL, 3, 2)
    log = read_csv(client.get(reverse("tenantadmin:job_download", args=[job.pk])))
    assert [(row[0], row[3]) for row in log[1:]] == [("2", "Created"), ("3", "Failed"), ("4", "Failed")]
    assert "already used by another account" in log[2][4] and "verified domains" in log[3][4]
    assert User.objects.filter(upn=f"good@{domain}", is_active=True, usage_location="NL").exists()
    assert not [m for m in mail.outbox if m.subject.startswith("Bulk import of users")]  # nobody asked for them


def test_licenses_short_of_the_users_to_create_are_refused_up_front(org_a, client_for, tmp_path, plan,
                                                                   django_capture_on_commit_callbacks):
    client = client_for(org_a.global_admin)
    free = {u.sku.pk: u.free for u in license_units(tenant=org_a.tenant)}[plan.pk]
    domain = org_a.tenant.initial_domain
    path = write_csv(tmp_path, [user_row(f"u{n}", domain) for n in range(free + 1)])
    verify_job = verify(client, org_a.tenant, path, django_capture_on_commit_callbacks)
    client.post(reverse("users:import_settings", args=[verify_job.pk]), {"sign_in": "allowed", "usage_location": "US"})
    response = client.post(reverse("users:import_licenses", args=[verify_job.pk]), {"skus": [str(plan.pk)]})
    assert response.status_code == 200
    assert f"has {free} free licenses, but {free + 1} users are to be created" in response.content.decode()
    assert client.get(reverse("users:import_send", args=[verify_job.pk])).status_code == 302  # back to licenses


def test_results_go_to_at_most_five_valid_addresses(org_a, client_for, tmp_path, django_capture_on_commit_callbacks):
    client = client_for(org_a.user_admin)
    verify_job = verify(client, org_a.tenant, _three_users(org_a, tmp_path), django_capture_on_commit_callbacks)
    client.post(reverse("users:import_settings", args=[verify_job.pk]), {"sign_in": "allowed", "usage_location": "NL"})
    client.post(reverse("users:import_licenses", args=[verify_job.pk]), {})
    send = reverse("users:import_send", args=[verify_job.pk])
    six = "; ".join(f"a{n}@example.net" for n in range(6))
    assert "Enter at most 5 addresses." in client.post(send, {"notify": six}).content.decode()
    assert "not-an-address is not a valid e-mail address." in client.post(send, {"notify": "not-an-address"}).content.decode()
    assert not Job.objects.filter(kind="users.import.run").exists()


def test_a_verified_file_is_imported_once(org_a, client_for, tmp_path, django_capture_on_commit_callbacks):
    client = client_for(org_a.user_admin)
    verify_job = verify(client, org_a.tenant, _three_users(org_a, tmp_path), django_capture_on_commit_callbacks)
    run_wizard(client, org_a.tenant, verify_job, django_capture_on_commit_callbacks)
    assert client.get(reverse("users:import_settings", args=[verify_job.pk])).status_code == 404
    assert client.post(reverse("users:import_send", args=[verify_job.pk]), {"notify": ""}).status_code == 404
    assert Job.objects.filter(kind="users.import.run").count() == 1


def test_another_organization_gets_404_for_every_step(org_a, org_b, client_for, tmp_path,
                                                      django_capture_on_commit_callbacks):
    verify_job = verify(client_for(org_a.user_admin), org_a.tenant, _three_users(org_a, tmp_path),
                        django_capture_on_commit_callbacks)
    import_job = run_wizard(client_for(org_a.user_admin), org_a.tenant, verify_job, django_capture_on_commit_callbacks)
    intruder = client_for(org_b.global_admin)
    for name in ("import_verify", "import_settings", "import_licenses", "import_send"):
        assert intruder.get(reverse(f"users:{name}", args=[verify_job.pk])).status_code == 404
        assert intruder.post(reverse(f"users:{name}", args=[verify_job.pk])).status_code == 404
    assert intruder.get(reverse("users:import_results", args=[import_job.pk])).status_code == 404
    assert intruder.post(reverse("users:import_passwords", args=[import_job.pk])).status_code == 404
    assert intruder.get(reverse("tenantadmin:job_download", args=[import_job.pk])).status_code == 404
    # A verification job is not an import job (and the reverse): the kinds do not mix.
    own = client_for(org_a.user_admin)
    assert own.get(reverse("users:import_results", args=[verify_job.pk])).status_code == 404
    assert own.get(reverse("users:import_settings", args=[import_job.pk])).status_code == 404


def test_another_admin_of_the_organization_cannot_open_my_import_but_a_global_admin_can(
        org_a, client_for, tmp_path, django_capture_on_commit_callbacks):
    verify_job = verify(client_for(org_a.user_admin), org_a.tenant, _three_users(org_a, tmp_path),
                        django_capture_on_commit_callbacks)
    colleague = make_user(org_a.tenant, "colleague", roles=["user_admin"])
    assert client_for(colleague).get(reverse("users:import_verify", args=[verify_job.pk])).status_code == 404
    assert client_for(org_a.global_admin).get(reverse("users:import_verify", args=[verify_job.pk])).status_code == 200


@pytest.mark.parametrize("role_name", ["billing_admin", "password_admin", "service_admin", "user"])
def test_a_role_without_user_write_gets_403_and_nothing_starts(role_name, org_a, client_for, tmp_path):
    client = client_for(org_a.member(role_name))
    assert client.get(reverse("users:import")).status_code == 403
    assert client.get(reverse("users:import_template")).status_code == 403
    assert upload(client, _three_users(org_a, tmp_path)).status_code == 403
    assert not Job.objects.filter(tenant=org_a.tenant).exists()
    if role_name != "user":
        assert reverse("users:import") not in client.get(reverse("users:list")).content.decode()


def test_the_verification_page_polls_until_the_job_ends(org_a, client_for, tmp_path, django_capture_on_commit_callbacks):
    client = client_for(org_a.user_admin)
    with django_capture_on_commit_callbacks(execute=False):  # the job stays queued
        upload(client, _three_users(org_a, tmp_path))
    job = last_job(org_a.tenant, "users.import.verify")
    url = reverse("users:import_verify", args=[job.pk])
    page = client.get(url).content.decode()
    assert 'id="import-poller"' in page and reverse("tenantadmin:job_progress", args=[job.pk]) in page
    polled = client.get(url + "?poll=1", HTTP_HX_REQUEST="true")
    assert polled.status_code == 204 and "HX-Refresh" not in polled
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED)
    assert client.get(url + "?poll=1", HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"

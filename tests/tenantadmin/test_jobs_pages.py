"""Jobs: who sees which job, the htmx progress fragment, and downloads that stay inside the file root."""

import pytest
from django.conf import settings
from django.urls import reverse

from tenantadmin.models import Job

pytestmark = pytest.mark.django_db

JOBS = reverse("tenantadmin:jobs")


def make_job(org, owner, title="Export", **fields):
    return Job.objects.create(tenant=org.tenant, created_by=owner, kind="test", title=title, **fields)


def url(name, job):
    return reverse(f"tenantadmin:{name}", args=[job.pk])


def listed(response) -> set:
    return {job.pk for job in response.context["page"].items}


def test_non_global_admin_lists_only_own_jobs(org_a, org_b, client_for):
    own = make_job(org_a, org_a.user_admin, "Own import")
    make_job(org_a, org_a.global_admin, "Someone else's export")
    make_job(org_b, org_b.user_admin, "Other tenant")

    response = client_for(org_a.user_admin).get(JOBS)

    assert response.status_code == 200
    assert listed(response) == {own.pk}
    assert "Someone else" not in response.content.decode()


def test_global_admin_lists_every_job_of_the_organization(org_a, org_b, client_for):
    jobs = {make_job(org_a, org_a.user_admin).pk, make_job(org_a, org_a.global_admin).pk,
            make_job(org_a, None, "Started by the system").pk}
    make_job(org_b, org_b.global_admin)

    response = client_for(org_a.global_admin).get(JOBS)

    assert listed(response) == jobs


def test_another_admins_job_is_not_found_for_a_non_global_admin(org_a, client_for):
    job = make_job(org_a, org_a.global_admin)
    client = client_for(org_a.user_admin)

    for name in ("job_detail", "job_progress", "job_download"):
        assert client.get(url(name, job)).status_code == 404, name


def test_global_admin_opens_another_admins_job(org_a, client_for):
    job = make_job(org_a, org_a.user_admin, "User import")

    response = client_for(org_a.global_admin).get(url("job_detail", job))

    assert response.status_code == 200
    assert "User import" in response.content.decode()


def test_another_tenants_job_is_not_found_even_for_a_global_admin(org_a, org_b, client_for):
    job = make_job(org_b, org_b.global_admin)

    assert client_for(org_a.global_admin).get(url("job_detail", job)).status_code == 404


def test_progress_keeps_polling_while_running(org_a, client_for):
    job = make_job(org_a, org_a.global_admin, status=Job.Status.RUNNING, total=10, done=4)

    response = client_for(org_a.global_admin).get(url("job_progress", job), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert "40%" in body


@pytest.mark.parametrize("status", [Job.Status.SUCCEEDED, Job.Status.PARTIAL, Job.Status.FAILED])
def test_progress_of_a_finished_job_tells_htmx_to_stop(status, org_a, client_for):
    job = make_job(org_a, org_a.global_admin, status=status)
    client = client_for(org_a.global_admin)

    polled = client.get(url("job_progress", job), HTTP_HX_REQUEST="true")
    plain = client.get(url("job_progress", job))

    assert polled.status_code == 286
    assert "hx-trigger" not in polled.content.decode()
    assert plain.status_code == 200


def test_download_of_a_job_without_a_file_is_not_found(org_a, client_for):
    job = make_job(org_a, org_a.global_admin, status=Job.Status.SUCCEEDED)

    assert client_for(org_a.global_admin).get(url("job_download", job)).status_code == 404


@pytest.mark.parametrize("result_file", ["../../etc/passwd", "/etc/passwd", "jobs/../../outside.txt"])
def test_download_outside_the_private_root_is_not_found(result_file, org_a, client_for):
    # A file that exists just outside the root, so only the path check can refuse it.
    settings.PRIVATE_FILES_ROOT.mkdir(parents=True, exist_ok=True)
    (settings.PRIVATE_FILES_ROOT.parent / "outside.txt").write_text("secret")
    job = make_job(org_a, org_a.global_admin, status=Job.Status.SUCCEEDED, result_file=result_file)

    assert client_for(org_a.global_admin).get(url("job_download", job)).status_code == 404


def test_download_of_a_file_inside_the_root_is_served_under_its_name(org_a, client_for):
    folder = settings.PRIVATE_FILES_ROOT / "jobs" / "x"
    folder.mkdir(parents=True)
    (folder / "result.csv").write_text("a,b\n")
    job = make_job(org_a, org_a.global_admin, status=Job.Status.SUCCEEDED, result_file="jobs/x/result.csv",
                   result_filename="users.csv")

    response = client_for(org_a.global_admin).get(url("job_download", job))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"a,b\n"
    assert 'filename="users.csv"' in response["Content-Disposition"]


def test_user_without_a_role_cannot_see_jobs(org_a, client_for):
    job = make_job(org_a, org_a.user)
    client = client_for(org_a.user)

    assert client.get(JOBS).status_code == 403
    assert client.get(url("job_detail", job)).status_code == 403

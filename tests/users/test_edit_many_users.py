"""Edit many users and Change domain: a Job with progress, only filled fields change, per-user results."""

import csv

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from billing.models import Sku, Subscription
from domains.models import Domain
from tenantadmin.actors import Actor
from tenantadmin.models import Job
from users.licenses import license_units
from users.models import LicenseAssignment, ProxyAddress
from users.services import user_create
from tests.factories import make_user

pytestmark = pytest.mark.django_db
E3 = "ENTERPRISEPACK"


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """client.post, then the request's on-commit callbacks (the queued job; Celery runs eager in tests)."""

    def run(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return run


def bulk(post, client, ids, **fields):
    data = {"ids": [str(pk) for pk in ids], "apply": "1", "license_mode": "retain", **fields}
    return post(client, reverse("users:bulk_edit"), data)


def job_of(response) -> Job:
    assert response.status_code == 302, response.content.decode()[:2000]
    return Job.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])


def results(job):
    with (settings.PRIVATE_FILES_ROOT / job.result_file).open(encoding="utf-8") as source:
        return {row[0]: row[2:] for row in list(csv.reader(source))[1:]}


def test_only_filled_fields_change(org_a, client_for, post):
    people = [make_user(org_a.tenant, f"bulk{n}", department=f"Dept{n}", city="Delft") for n in range(3)]
    job = job_of(bulk(post, client_for(org_a.user_admin), [p.pk for p in people], city="Utrecht", sign_in="blocked"))
    job.refresh_from_db()
    assert (job.status, job.total, job.done, job.failed) == ("succeeded", 3, 3, 0)
    for n, person in enumerate(people):
        person.refresh_from_db()
        assert (person.city, person.department, person.is_active) == ("Utrecht", f"Dept{n}", False)
    assert set(results(job)) == {p.upn for p in people}


def test_licenses_add_replace_and_failures_say_why(org_a, client_for, post):
    sku = Sku.objects.get(part_number=E3)
    people = [make_user(org_a.tenant, f"lic{n}", usage_location="NL") for n in range(3)]
    unit = next(u for u in license_units(tenant=org_a.tenant) if u.sku == sku)
    # Two free units for three people: the last one (by user name) fails.
    Subscription.objects.filter(tenant=org_a.tenant, sku=sku).update(quantity=unit.assigned + 2)
    client = client_for(org_a.user_admin)
    job = job_of(bulk(post, client, [p.pk for p in people], license_mode="add", skus=[str(sku.pk)]))
    job.refresh_from_db()
    assert (job.status, job.failed) == ("partial", 1)
    rows = results(job)
    assert rows[people[2].upn][0] == "failed" and "no free" in rows[people[2].upn][1]
    assert LicenseAssignment.objects.filter(user__in=people[:2], sku=sku).count() == 2
    page = client.get(reverse("users:bulk_results", args=[job.pk])).content.decode()
    assert "no free" in page and people[2].upn in page

    job = job_of(bulk(post, client, [p.pk for p in people], license_mode="replace"))
    assert not LicenseAssignment.objects.filter(user__in=people).exists()


def test_user_admins_job_skips_administrators_with_a_reason(org_a, client_for, post):
    job = job_of(bulk(post, client_for(org_a.user_admin), [org_a.user.pk, org_a.billing_admin.pk], department="Ops"))
    rows = results(job)
    assert rows[org_a.user.upn][0] == "ok"
    assert rows[org_a.billing_admin.upn][0] == "failed" and "global administrator" in rows[org_a.billing_admin.upn][1]
    org_a.billing_admin.refresh_from_db()
    assert org_a.billing_admin.department == ""


def test_other_tenants_users_are_ignored(org_a, org_b, client_for, post):
    response = bulk(post, client_for(org_b.global_admin), [org_a.user.pk], department="Hacked")
    assert response.status_code == 302 and response["Location"] == reverse("users:list")
    org_a.user.refresh_from_db()
    assert org_a.user.department == "" and not Job.objects.filter(tenant=org_b.tenant, kind="users.bulk_edit").exists()


def test_other_tenant_gets_404_on_the_results_page(org_a, org_b, client_for, post):
    job = job_of(bulk(post, client_for(org_a.global_admin), [org_a.user.pk], department="Ops"))
    assert client_for(org_b.global_admin).get(reverse("users:bulk_results", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("role_name", ["billing_admin", "password_admin", "service_admin", "user"])
def test_roles_without_the_right_get_403(org_a, client_for, role_name, post):
    client = client_for(org_a.member(role_name))
    assert bulk(post, client, [org_a.user.pk], department="X").status_code == 403
    assert client.post(reverse("users:change_domain"), {"ids": [str(org_a.user.pk)]}).status_code == 403


def test_change_domain_moves_users_and_reports_taken_names(org_a, client_for, post):
    Domain.objects.create(tenant=org_a.tenant, name="contoso.com", status="verified", verified_at=timezone.now())
    movers = [make_user(org_a.tenant, "anna"), make_user(org_a.tenant, "bert")]
    user_create(tenant=org_a.tenant, actor=Actor.system("tests"), alias="bert", domain="contoso.com", display_name="Other Bert")
    client = client_for(org_a.user_admin)
    page = client.post(reverse("users:change_domain"), {"ids": [str(p.pk) for p in movers]}).content.decode()
    assert "contoso.com" in page and "Anna" in page
    response = post(client, reverse("users:change_domain"), {"ids": [str(p.pk) for p in movers], "apply": "1",
                                                             "domain": "contoso.com"})
    job = job_of(response)
    rows = results(job)
    movers[0].refresh_from_db()
    assert movers[0].upn == "anna@contoso.com"
    assert ProxyAddress.objects.get(user=movers[0], is_primary=True).address == "anna@contoso.com"
    assert rows[f"bert@{org_a.tenant.initial_domain}"][0] == "failed"


def test_change_domain_from_the_domain_removal_page_takes_every_user_of_the_domain(org_a, client_for, post):
    Domain.objects.create(tenant=org_a.tenant, name="old.example", status="verified", verified_at=timezone.now())
    for alias in ("c1", "c2"):
        user_create(tenant=org_a.tenant, actor=Actor.system("tests"), alias=alias, domain="old.example", display_name=alias)
    client = client_for(org_a.global_admin)
    page = client.get(reverse("users:change_domain") + "?from=old.example").content.decode()
    assert "2 users selected" in page
    job = job_of(post(client, reverse("users:change_domain"), {"from": "old.example", "apply": "1",
                                                               "domain": org_a.tenant.initial_domain}))
    assert job.total == 2 and not org_a.tenant.users.filter(upn__endswith="@old.example").exists()


def test_form_page_costs_the_same_queries_for_3_and_30_users(org_a, client_for, django_assert_max_num_queries):
    client = client_for(org_a.user_admin)
    few = [make_user(org_a.tenant, f"q{n}").pk for n in range(3)]
    many = few + [make_user(org_a.tenant, f"r{n}").pk for n in range(27)]
    data = {"ids": [str(pk) for pk in few]}
    client.post(reverse("users:bulk_edit"), data)  # warm caches (session, content types)
    with django_assert_max_num_queries(14) as captured:
        client.post(reverse("users:bulk_edit"), data)
    count = len(captured.captured_queries)
    with django_assert_max_num_queries(count):
        client.post(reverse("users:bulk_edit"), {"ids": [str(pk) for pk in many]})

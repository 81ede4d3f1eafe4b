"""Restoring in the portal: the Deleted users tab's actions, the conflict choices on the restore page, the
temporary password shown once, and the bulk restore Job with its downloadable log."""

import csv
import io

import pytest
from django.urls import reverse

from tenantadmin.models import Job
from tests.factories import make_user
from tests.users.lifecycle_helpers import ADMIN, licensed_user, plan_with_units
from users.lifecycle_services import user_delete
from users.models import LicenseAssignment, ProxyAddress, User

pytestmark = pytest.mark.django_db


def deleted(tenant, alias, **details):
    person = make_user(tenant, alias, **details)
    user_delete(user=person, actor=ADMIN)
    return person


def test_deleted_users_tab_offers_restore(org_a, client_for):
    person = deleted(org_a.tenant, "gone")
    page = client_for(org_a.user_admin).get(reverse("users:list"), {"view": "deleted"}).content.decode()
    assert reverse("users:restore", args=[person.pk]) in page and reverse("users:bulk_restore") in page
    detail = client_for(org_a.user_admin).get(reverse("users:detail", args=[person.pk])).content.decode()
    assert reverse("users:restore", args=[person.pk]) in detail


def test_deleted_users_tab_costs_the_same_for_3_and_30(org_a, client_for, django_assert_max_num_queries):
    client = client_for(org_a.user_admin)
    url = reverse("users:list")
    for n in range(3):
        deleted(org_a.tenant, f"few{n}")
    with django_assert_max_num_queries(12) as few:
        assert client.get(url, {"view": "deleted"}).status_code == 200
    for n in range(27):
        deleted(org_a.tenant, f"many{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url, {"view": "deleted"}).status_code == 200


def test_restore_page_restores_with_licenses_and_shows_the_password_once(org_a, client_for):
    sku = plan_with_units(org_a.tenant, 2)
    person = licensed_user(org_a.tenant, sku, "back")
    user_delete(user=person, actor=ADMIN)
    client = client_for(org_a.user_admin)
    page = client.get(reverse("users:restore", args=[person.pk])).content.decode()
    assert f'id="license-{sku.pk}"' in page and "2 free" in page

    response = client.post(reverse("users:restore", args=[person.pk]), {"licenses": [str(sku.pk)]})
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.deleted_at is None
    password = response.content.decode().split('id="temporary-password">')[1].split("<")[0]
    assert person.check_password(password)
    assert LicenseAssignment.objects.filter(user=person, sku=sku).exists()


def test_license_without_free_units_cannot_be_chosen(org_a, client_for):
    sku = plan_with_units(org_a.tenant, 1)
    person = licensed_user(org_a.tenant, sku, "back")
    user_delete(user=person, actor=ADMIN)
    licensed_user(org_a.tenant, sku, "tookit")
    client = client_for(org_a.user_admin)
    page = client.get(reverse("users:restore", args=[person.pk])).content.decode()
    assert f'id="no-free-{sku.pk}"' in page
    response = client.post(reverse("users:restore", args=[person.pk]), {"licenses": [str(sku.pk)]})
    assert response.status_code == 200 and "licenses" in response.context["form"].errors
    assert User.objects.get(pk=person.pk).deleted_at is not None


def test_user_name_conflict_needs_a_choice(org_a, client_for):
    person = deleted(org_a.tenant, "geoff")
    newcomer = make_user(org_a.tenant, "geoff")
    client = client_for(org_a.global_admin)
    page = client.get(reverse("users:restore", args=[person.pk])).content.decode()
    assert 'id="upn-conflict"' in page and newcomer.display_name in page
    response = client.post(reverse("users:restore", args=[person.pk]), {})
    assert "name_choice" in response.context["form"].errors
    assert User.objects.get(pk=person.pk).deleted_at is not None


def test_user_name_conflict_rename(org_a, client_for):
    person = deleted(org_a.tenant, "geoff")
    make_user(org_a.tenant, "geoff")
    client = client_for(org_a.global_admin)
    bad = client.post(reverse("users:restore", args=[person.pk]), {
        "name_choice": "rename", "new_alias": ".bad", "new_domain": org_a.tenant.initial_domain})
    assert "new_alias" in bad.context["form"].errors
    client.post(reverse("users:restore", args=[person.pk]), {
        "name_choice": "rename", "new_alias": "geoff2", "new_domain": org_a.tenant.initial_domain})
    person.refresh_from_db()
    assert person.deleted_at is None and person.upn == f"geoff2@{org_a.tenant.initial_domain}"


def test_user_name_conflict_replace(org_a, client_for):
    person = deleted(org_a.tenant, "geoff")
    newcomer = make_user(org_a.tenant, "geoff")
    client_for(org_a.global_admin).post(reverse("users:restore", args=[person.pk]), {"name_choice": "replace"})
    assert User.objects.get(pk=person.pk).deleted_at is None
    assert User.objects.get(pk=newcomer.pk).deleted_at is not None


def test_proxy_conflict_lists_the_addresses_and_needs_consent(org_a, client_for):
    address = f"sales@{org_a.tenant.initial_domain}"
    person = make_user(org_a.tenant, "ann")
    ProxyAddress.objects.create(tenant=org_a.tenant, user=person, address=address)
    user_delete(user=person, actor=ADMIN)
    ProxyAddress.objects.create(tenant=org_a.tenant, user=org_a.user, address=address)
    client = client_for(org_a.user_admin)
    page = client.get(reverse("users:restore", args=[person.pk])).content.decode()
    assert address in page.split('id="conflicting-addresses"')[1]
    refused = client.post(reverse("users:restore", args=[person.pk]), {})
    assert "drop_proxy_conflicts" in refused.context["form"].errors
    client.post(reverse("users:restore", args=[person.pk]), {"drop_proxy_conflicts": "on"})
    assert User.objects.get(pk=person.pk).deleted_at is None
    assert not ProxyAddress.objects.filter(user=person, address=address).exists()


def test_bulk_restore_runs_as_a_job_and_logs_who_must_be_restored_alone(org_a, client_for,
                                                                        django_capture_on_commit_callbacks):
    fine = [deleted(org_a.tenant, f"fine{n}") for n in range(2)]
    clash = deleted(org_a.tenant, "geoff")
    make_user(org_a.tenant, "geoff")
    client = client_for(org_a.user_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("users:bulk_restore"), {"ids": [str(u.pk) for u in [*fine, clash]]})
    job = Job.objects.get(tenant=org_a.tenant, kind="users.restore")
    assert response["Location"] == reverse("tenantadmin:job_detail", args=[job.pk])
    assert job.status == Job.Status.PARTIAL and job.done == 3 and job.failed == 1
    assert User.objects.filter(pk__in=[u.pk for u in fine], deleted_at__isnull=True).count() == 2
    assert User.objects.get(pk=clash.pk).deleted_at is not None

    download = client.get(reverse("tenantadmin:job_download", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["User name", "Display name", "Result"]
    by_upn = {row[0]: row for row in rows[1:]}
    assert by_upn[clash.upn][2] == "Failed"
    assert "Restore this user on their own" in by_upn[clash.upn][3]
    assert by_upn[fine[0].upn][2] == "Restored" and by_upn[fine[0].upn][4]


def test_bulk_restore_of_one_user_opens_the_restore_page(org_a, client_for):
    person = deleted(org_a.tenant, "solo")
    response = client_for(org_a.user_admin).post(reverse("users:bulk_restore"), {"ids": [str(person.pk)]})
    assert response["Location"] == reverse("users:restore", args=[person.pk])


def test_other_tenant_gets_404(org_a, org_b, client_for):
    person = deleted(org_a.tenant, "gone")
    client = client_for(org_b.global_admin)
    assert client.get(reverse("users:restore", args=[person.pk])).status_code == 404
    assert client.post(reverse("users:restore", args=[person.pk]), {}).status_code == 404
    client.post(reverse("users:bulk_restore"), {"ids": [str(person.pk), str(org_b.user.pk)]})
    assert User.objects.get(pk=person.pk).deleted_at is not None


def test_role_without_the_right_gets_403(org_a, client_for):
    person = deleted(org_a.tenant, "gone")
    client = client_for(org_a.service_admin)
    assert client.get(reverse("users:restore", args=[person.pk])).status_code == 403
    assert client.post(reverse("users:bulk_restore"), {"ids": [str(person.pk)]}).status_code == 403
    assert User.objects.get(pk=person.pk).deleted_at is not None


def test_replacing_frees_the_replaced_accounts_addresses(org_a, client_for):
    address = f"sales@{org_a.tenant.initial_domain}"
    person = make_user(org_a.tenant, "geoff")
    ProxyAddress.objects.create(tenant=org_a.tenant, user=person, address=address)
    user_delete(user=person, actor=ADMIN)
    newcomer = make_user(org_a.tenant, "geoff")
    ProxyAddress.objects.create(tenant=org_a.tenant, user=newcomer, address=address)
    client_for(org_a.global_admin).post(reverse("users:restore", args=[person.pk]), {"name_choice": "replace"})
    assert User.objects.get(pk=person.pk).deleted_at is None
    assert ProxyAddress.objects.get(user=person, address=address).is_live

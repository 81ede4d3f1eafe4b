"""The Licenses page (Subscriptions > Licenses): units per plan, license conflicts with the three resolutions,
the holders of a plan (keyset pages, fixed queries) and removing licenses after the data-loss warning."""

import pytest
from django.urls import reverse

from billing.models import Sku, Subscription
from tests.users.lifecycle_helpers import licensed_user, plan_with_units
from users.models import LicenseAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def conflict(org_a):
    """3 users hold E3, then the subscription drops to 2 licenses (a decrease, as SPEC describes)."""
    sku = plan_with_units(org_a.tenant, 3)
    holders = [licensed_user(org_a.tenant, sku, f"holder{n}") for n in range(3)]
    Subscription.objects.filter(tenant=org_a.tenant, sku=sku).update(quantity=2)
    return sku, holders


def test_units_per_plan(org_a, client_for):
    sku = plan_with_units(org_a.tenant, 5)
    licensed_user(org_a.tenant, sku, "one")
    page = client_for(org_a.billing_admin).get(reverse("users:licenses"))
    assert page.status_code == 200
    row = page.content.decode().split(f'id="plan-{sku.pk}"')[1].split("</tr>")[0]
    assert ">5<" in row and ">1<" in row and f'id="free-{sku.pk}">4<' in row and 'aria-valuenow="20"' in row
    assert sku.service_plans[0].get("displayName", sku.service_plans[0]["servicePlanName"]) in row
    assert 'id="license-conflict-alert"' not in page.content.decode()


def test_conflict_is_flagged_with_three_resolutions(org_a, client_for, conflict):
    sku, _holders = conflict
    text = client_for(org_a.global_admin).get(reverse("users:licenses")).content.decode()
    alert = text.split(f'id="conflict-{sku.pk}"')[1].split("</div>")[0]
    assert "3 users hold" in alert and "only 2 licenses" in alert
    assert reverse("billing:purchase") in alert
    assert f'id="resolve-remove-{sku.pk}"' in alert and f'id="resolve-delete-{sku.pk}"' in alert


def test_conflict_banner_on_users_page_and_overview(org_a, client_for, conflict):
    client = client_for(org_a.global_admin)
    for name in ("users:list", "tenantadmin:overview"):
        page = client.get(reverse(name)).content.decode()
        assert 'id="license-conflict-alert"' in page and reverse("users:licenses") in page


def test_banner_costs_a_fixed_number_of_queries(org_a, client_for, conflict, django_assert_max_num_queries):
    sku, _holders = conflict
    client = client_for(org_a.global_admin)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("tenantadmin:overview"))
    Subscription.objects.filter(tenant=org_a.tenant, sku=sku).update(quantity=30)
    for n in range(27):
        licensed_user(org_a.tenant, sku, f"more{n}")
    Subscription.objects.filter(tenant=org_a.tenant, sku=sku).update(quantity=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("tenantadmin:overview")).content.decode()
    assert "30 assigned, 2 available" in page


def test_plan_holders_are_paged_with_fixed_queries(org_a, client_for, django_assert_max_num_queries):
    sku = plan_with_units(org_a.tenant, 200)
    for n in range(3):
        licensed_user(org_a.tenant, sku, f"few{n}")
    client = client_for(org_a.user_admin)
    url = reverse("users:license_plan", args=[sku.pk])
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    for n in range(57):
        licensed_user(org_a.tenant, sku, f"many{n:02d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert len(page.context["page"].items) == 50 and page.context["page"].has_next
    second = client.get(url, {"after": page.context["page"].next_cursor})
    assert len(second.context["page"].items) == 10
    seen = {u.pk for u in page.context["page"].items} | {u.pk for u in second.context["page"].items}
    assert len(seen) == 60


def test_remove_license_needs_the_data_loss_confirmation(org_a, client_for, conflict):
    sku, holders = conflict
    client = client_for(org_a.user_admin)
    url = reverse("users:license_remove", args=[sku.pk])
    client.post(url, {"ids": [str(holders[0].pk)]})
    assert LicenseAssignment.objects.filter(user=holders[0], sku=sku).exists()
    page = client.post(url, {"ids": [str(holders[0].pk)], "confirm_data_loss": "1"}, follow=True)
    assert not LicenseAssignment.objects.filter(user=holders[0], sku=sku).exists()
    assert "removed from 1 user" in page.content.decode()
    assert 'id="license-conflict-alert"' not in client.get(reverse("users:list")).content.decode()


def test_plan_page_warns_about_data_loss_and_offers_delete(org_a, client_for, conflict):
    sku, _holders = conflict
    page = client_for(org_a.user_admin).get(reverse("users:license_plan", args=[sku.pk])).content.decode()
    assert "deletes the user's data" in page and reverse("users:bulk_delete") in page
    assert 'id="plan-conflict"' in page


def test_user_admin_cannot_remove_an_admins_license(org_a, client_for):
    sku = plan_with_units(org_a.tenant, 5)
    admin = org_a.billing_admin
    admin.usage_location = "NL"
    admin.save(update_fields=["usage_location"])
    LicenseAssignment.objects.create(tenant=org_a.tenant, user=admin, sku=sku)
    client_for(org_a.user_admin).post(reverse("users:license_remove", args=[sku.pk]),
                                      {"ids": [str(admin.pk)], "confirm_data_loss": "1"})
    assert LicenseAssignment.objects.filter(user=admin, sku=sku).exists()


def test_other_tenant_gets_404(org_a, org_b, client_for):
    only_a = Sku.objects.exclude(part_number="ENTERPRISEPACK").first()
    plan_with_units(org_a.tenant, 2, only_a.part_number)
    holder = licensed_user(org_a.tenant, only_a, "holder")
    client = client_for(org_b.global_admin)
    assert client.get(reverse("users:license_plan", args=[only_a.pk])).status_code == 404
    response = client.post(reverse("users:license_remove", args=[only_a.pk]),
                           {"ids": [str(holder.pk)], "confirm_data_loss": "1"})
    assert response.status_code == 404
    assert LicenseAssignment.objects.filter(user=holder).exists()


def test_role_without_the_right_gets_403(org_a, client_for, conflict):
    sku, holders = conflict
    assert client_for(org_a.password_admin).get(reverse("users:licenses")).status_code == 403
    response = client_for(org_a.billing_admin).post(reverse("users:license_remove", args=[sku.pk]),
                                                    {"ids": [str(holders[0].pk)], "confirm_data_loss": "1"})
    assert response.status_code == 403
    assert LicenseAssignment.objects.filter(user=holders[0], sku=sku).exists()


def test_licenses_page_costs_the_same_for_one_plan_and_three(org_a, client_for, django_assert_max_num_queries):
    client = client_for(org_a.global_admin)
    sku = plan_with_units(org_a.tenant, 40)
    for n in range(3):
        licensed_user(org_a.tenant, sku, f"few{n}")
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("users:licenses"))
    # Plans for users only: an add-on (extra storage) is no license and is not on the page.
    for part in Sku.objects.exclude(pk=sku.pk).filter(applies_to="user").values_list("part_number", flat=True)[:2]:
        other = plan_with_units(org_a.tenant, 40, part)
        for n in range(10):
            licensed_user(org_a.tenant, other, f"{part.lower()[:8]}{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("users:licenses"))
    assert len(page.context["rows"]) == 3

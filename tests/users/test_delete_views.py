"""Deleting in the portal: a confirmation that says what is lost, then the delete; one user or several."""

import pytest
from django.urls import reverse

from tests.factories import make_user
from tests.users.lifecycle_helpers import licensed_user, plan_with_units
from users.models import User

pytestmark = pytest.mark.django_db


def test_confirmation_says_what_is_lost_and_changes_nothing(org_a, client_for):
    sku = plan_with_units(org_a.tenant, 3)
    person = licensed_user(org_a.tenant, sku, "leaver")
    page = client_for(org_a.user_admin).get(reverse("users:delete", args=[person.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sign-in ends at once" in text and "license" in text and sku.name in text and "30 days" in text
    assert User.objects.get(pk=person.pk).deleted_at is None


def test_confirmed_delete_moves_the_user_to_deleted_users(org_a, client_for):
    person = make_user(org_a.tenant, "leaver")
    response = client_for(org_a.user_admin).post(reverse("users:delete", args=[person.pk]), {"confirm": "1"})
    assert response.status_code == 302 and response["Location"].endswith("?view=deleted")
    assert User.objects.get(pk=person.pk).deleted_at is not None


def test_post_without_confirmation_only_shows_the_confirmation(org_a, client_for):
    person = make_user(org_a.tenant, "leaver")
    assert client_for(org_a.user_admin).post(reverse("users:delete", args=[person.pk])).status_code == 200
    assert User.objects.get(pk=person.pk).deleted_at is None


def test_refused_delete_says_why(org_a, client_for):
    client = client_for(org_a.user_admin)
    page = client.get(reverse("users:delete", args=[org_a.billing_admin.pk])).content.decode()
    assert "only a global administrator can delete an administrator" in page
    response = client.post(reverse("users:delete", args=[org_a.billing_admin.pk]), {"confirm": "1"}, follow=True)
    assert "only a global administrator" in response.content.decode()
    assert User.objects.get(pk=org_a.billing_admin.pk).deleted_at is None


def test_detail_page_offers_delete_only_when_allowed(org_a, client_for):
    url = reverse("users:delete", args=[org_a.user.pk])
    assert url in client_for(org_a.user_admin).get(reverse("users:detail", args=[org_a.user.pk])).content.decode()
    admin_detail = client_for(org_a.user_admin).get(reverse("users:detail", args=[org_a.billing_admin.pk]))
    assert reverse("users:delete", args=[org_a.billing_admin.pk]) not in admin_detail.content.decode()


def test_bulk_delete_confirms_then_deletes_each_allowed_user(org_a, client_for):
    people = [make_user(org_a.tenant, f"bulk{n}") for n in range(3)]
    ids = [str(p.pk) for p in people] + [str(org_a.billing_admin.pk)]
    client = client_for(org_a.user_admin)
    page = client.post(reverse("users:bulk_delete"), {"ids": ids})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Delete 4 users?" in text and "only a global administrator" in text
    assert not User.objects.filter(pk__in=[p.pk for p in people], deleted_at__isnull=False).exists()

    response = client.post(reverse("users:bulk_delete"), {"ids": ids, "confirm": "1"}, follow=True)
    assert User.objects.filter(pk__in=[p.pk for p in people], deleted_at__isnull=False).count() == 3
    assert User.objects.get(pk=org_a.billing_admin.pk).deleted_at is None
    assert "3 users were deleted" in response.content.decode()


def test_users_page_has_the_bulk_delete_button(org_a, client_for):
    page = client_for(org_a.user_admin).get(reverse("users:list")).content.decode()
    assert reverse("users:bulk_delete") in page


def test_other_tenant_gets_404(org_a, org_b, client_for):
    client = client_for(org_b.global_admin)
    assert client.get(reverse("users:delete", args=[org_a.user.pk])).status_code == 404
    assert client.post(reverse("users:delete", args=[org_a.user.pk]), {"confirm": "1"}).status_code == 404
    client.post(reverse("users:bulk_delete"), {"ids": [str(org_a.user.pk)], "confirm": "1"})
    assert User.objects.get(pk=org_a.user.pk).deleted_at is None


def test_role_without_the_right_gets_403(org_a, client_for):
    client = client_for(org_a.password_admin)
    assert client.get(reverse("users:delete", args=[org_a.user.pk])).status_code == 403
    assert client.post(reverse("users:bulk_delete"), {"ids": [str(org_a.user.pk)], "confirm": "1"}).status_code == 403
    assert User.objects.get(pk=org_a.user.pk).deleted_at is None


def test_bulk_confirmation_costs_the_same_for_3_and_30(org_a, client_for, django_assert_max_num_queries):
    client = client_for(org_a.global_admin)
    people = [make_user(org_a.tenant, f"few{n}") for n in range(3)]
    with django_assert_max_num_queries(20) as few:
        client.post(reverse("users:bulk_delete"), {"ids": [str(p.pk) for p in people]})
    people += [make_user(org_a.tenant, f"many{n}") for n in range(27)]
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.post(reverse("users:bulk_delete"), {"ids": [str(p.pk) for p in people]})
    assert "Delete 30 users?" in page.content.decode()

"""The read-only user detail page: four tabs, the actions each role may take, deleted users and isolation."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from billing.models import Sku
from tests.factories import make_user
from users.models import LicenseAssignment, User

pytestmark = pytest.mark.django_db

EXCHANGE = "efb87545-963c-4e0d-99df-69c6916d9eb0"


def detail(user) -> str:
    return reverse("users:detail", args=[user.pk])


@pytest.fixture
def person(org_a):
    user = make_user(org_a.tenant, "dana", display_name="Dana Example", first_name="Dana", last_name="Example",
                     job_title="Buyer", department="Purchasing", office="B-204", office_phone="+1 555 0100",
                     mobile_phone="+1 555 0199", fax="+1 555 0101", street="1 Main Street", city="Springfield",
                     state="OR", postal_code="97477", country_name="United States", usage_location="NL",
                     alternate_email="dana@example.org", time_zone="Europe/Amsterdam")
    LicenseAssignment.objects.create(tenant=org_a.tenant, user=user, sku=Sku.objects.get(part_number="ENTERPRISEPACK"),
                                     disabled_plans=[EXCHANGE])
    return user


def test_the_tabs_show_every_field(person, org_a, client_for):
    page = client_for(org_a.service_admin).get(detail(person)).content.decode()

    for tab in ("tab-details", "tab-settings", "tab-licenses", "tab-more"):
        assert f'id="{tab}"' in page
    for value in ("dana@contosoa", "Dana", "Example", "Buyer", "Purchasing", "B-204", "+1 555 0100", "+1 555 0199",
                  "+1 555 0101", "1 Main Street", "Springfield", "OR", "97477", "United States", "Netherlands",
                  "dana@example.org", "Europe/Amsterdam", "Password last changed"):
        assert value in page, value


def test_the_licenses_tab_lists_service_plans_and_marks_the_disabled_ones(person, org_a, client_for):
    response = client_for(org_a.global_admin).get(detail(person))

    [license] = response.context["licenses"]
    assert license["sku"].part_number == "ENTERPRISEPACK"
    plans = {plan["name"]: plan["disabled"] for plan in license["plans"]}
    assert plans["Exchange Online"] is True
    assert plans["SharePoint Online"] is False and len(plans) == 5


def test_an_unlicensed_user_says_so(org_a, client_for):
    page = client_for(org_a.global_admin).get(detail(org_a.user)).content.decode()
    assert 'id="no-licenses"' in page


def test_the_settings_tab_shows_roles_and_sign_in_status(org_a, client_for):
    blocked = make_user(org_a.tenant, "blocked", is_active=False)
    client = client_for(org_a.global_admin)

    page = client.get(detail(org_a.user_admin)).content.decode()
    assert "User management administrator" in page and 'id="block-sign-in"' in page

    page = client.get(detail(blocked)).content.decode()
    assert "Sign-in blocked" in page and 'id="allow-sign-in"' in page


def test_block_from_the_detail_page_returns_to_it(org_a, client_for):
    client = client_for(org_a.global_admin)
    response = client.post(reverse("users:bulk_sign_in"), {"ids": [org_a.user.pk], "allowed": "0",
                                                          "next": detail(org_a.user)})

    assert response["Location"] == detail(org_a.user)
    assert not User.objects.get(pk=org_a.user.pk).is_active


def test_reset_password_and_block_follow_the_role_rules(org_a, client_for):
    # A user management admin may act on people without a role, not on administrators.
    client = client_for(org_a.user_admin)
    page = client.get(detail(org_a.user)).content.decode()
    assert reverse("users:password_reset_admin", args=[org_a.user.pk]) in page and 'id="block-sign-in"' in page
    page = client.get(detail(org_a.global_admin)).content.decode()
    assert 'id="reset-password"' not in page and 'id="block-sign-in"' not in page

    # A service admin only reads.
    page = client_for(org_a.service_admin).get(detail(org_a.user)).content.decode()
    assert 'id="reset-password"' not in page and 'id="block-sign-in"' not in page


def test_nobody_blocks_or_resets_themselves_here(org_a, client_for):
    page = client_for(org_a.global_admin).get(detail(org_a.global_admin)).content.decode()
    assert 'id="reset-password"' not in page and 'id="block-sign-in"' not in page


def test_a_locked_user_shows_the_lock_and_unlock(org_a, client_for, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("users:signin"), {"username": org_a.user.upn, "password": "Wrong#Password1"})

    page = client_for(org_a.password_admin).get(detail(org_a.user)).content.decode()
    assert "Locked after repeated failed sign-ins." in page
    assert reverse("users:signin_unlock", args=[org_a.user.pk]) in page


def test_a_deleted_user_shows_when_it_is_purged_and_offers_no_actions(org_a, client_for):
    gone = make_user(org_a.tenant, "gone")
    User.objects.filter(pk=gone.pk).update(deleted_at=timezone.now() - timedelta(days=10), is_active=False)

    response = client_for(org_a.global_admin).get(detail(gone))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="deleted-badge"' in page and "in 20 days" in page
    assert 'id="reset-password"' not in page and 'id="allow-sign-in"' not in page


def test_another_organizations_user_is_a_404(org_a, org_b, client_for):
    assert client_for(org_b.global_admin).get(detail(org_a.user)).status_code == 404
    assert client_for(org_a.global_admin).get(reverse("users:detail", args=[org_a.tenant.pk])).status_code == 404


def test_billing_admin_and_plain_users_get_403(org_a, client_for):
    assert client_for(org_a.billing_admin).get(detail(org_a.user)).status_code == 403
    assert client_for(org_a.user).get(detail(org_a.billing_admin)).status_code == 403


def test_the_users_page_links_to_the_detail_page(org_a, client_for):
    page = client_for(org_a.global_admin).get(reverse("users:list")).content.decode()
    assert detail(org_a.user) in page


def test_the_page_costs_a_fixed_number_of_queries(person, org_a, client_for, django_assert_num_queries):
    client = client_for(org_a.global_admin)
    client.get(detail(person))
    cache.clear()
    # The session, the admin with their roles, the user with organization, licenses and roles, both photos in one
    # query, the sign-in lock, the billing banner's subscriptions (cached per organization; emptied above), and
    # the Groups card's groups (one query, however many groups; tests/users/test_user_detail_groups.py).
    with django_assert_num_queries(10):
        assert client.get(detail(person)).status_code == 200

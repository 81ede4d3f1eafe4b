"""The admin overview: quick-start links for 30 days, counts, recent changes, a flat query cost."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_tenant, make_user

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("tenantadmin:overview")
# Measured once; a change here means the page now costs more (or fewer) queries: look before updating.
# The license-conflict banner is cached per organization (warmed by the first request below), so it adds none.
OVERVIEW_QUERIES = 7


def test_quick_start_links_are_shown_in_the_first_30_days(org_a, client_for):
    response = client_for(org_a.global_admin).get(OVERVIEW)

    assert response.status_code == 200
    assert 'id="quick-start-domain"' in response.content.decode()
    assert 'id="quick-start-users"' in response.content.decode()


def test_quick_start_links_are_hidden_after_30_days(org_a, client_for, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=31))
    # Signed in after the jump: a session from before it would have expired.
    response = client_for(org_a.global_admin).get(OVERVIEW)

    assert response.status_code == 200
    assert "quick-start-domain" not in response.content.decode()
    assert "quick-start-users" not in response.content.decode()


def test_overview_counts_live_users_domains_and_subscriptions(org_a, org_b, client_for):
    response = client_for(org_a.global_admin).get(OVERVIEW)

    # A global admin, four role holders and a plain user; the initial domain; the trial; nothing of B.
    assert response.context["counts"] == {"users": 6, "domains": 1, "subscriptions": 1}


def test_recent_changes_are_shown_to_global_admins(org_a, client_for):
    response = client_for(org_a.global_admin).get(OVERVIEW)

    events = response.context["recent_events"]
    assert 0 < len(events) <= 6
    assert all(event.tenant_id == org_a.tenant.pk for event in events)
    assert "Recent administrative changes" in response.content.decode()


@pytest.mark.parametrize("role_name", ["user_admin", "billing_admin", "password_admin", "service_admin"])
def test_recent_changes_are_hidden_from_other_admins(role_name, org_a, client_for):
    response = client_for(org_a.member(role_name)).get(OVERVIEW)

    assert response.status_code == 200
    assert response.context["recent_events"] == []
    assert "Recent administrative changes" not in response.content.decode()


def test_a_user_without_a_role_cannot_open_the_overview(org_a, client_for):
    assert client_for(org_a.user).get(OVERVIEW).status_code == 403


@pytest.mark.parametrize("user_count", [3, 40])
def test_overview_costs_the_same_queries_for_3_and_40_users(user_count, db, client_for, django_assert_num_queries):
    tenant, admin = make_tenant()
    for _ in range(user_count - 1):
        make_user(tenant)
    client = client_for(admin)
    client.get(OVERVIEW)  # warm process-wide caches so only the page itself is counted

    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = client.get(OVERVIEW)

    assert response.context["counts"]["users"] == user_count

"""Custom view services: the filters (each one, ANDed), validation, names, the limit of 50, audit."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from billing.models import Sku
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tenantadmin.roles import Role
from tests.factories import make_user
from users.custom_view_services import (
    MAX_CUSTOM_VIEWS, TooManyViews, custom_view_create, custom_view_delete, custom_view_update,
)
from users.group_services import group_create, group_members_add
from users.models import CustomView, LicenseAssignment, User
from users.selectors import user_list
from users.views_catalog import custom_view_as_view

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")


def e3():
    return Sku.objects.get(part_number="ENTERPRISEPACK")


def shows(org, filters) -> set:
    view = CustomView(tenant=org.tenant, name="probe", filters=filters)
    return set(user_list(tenant=org.tenant, view=custom_view_as_view(view)).values_list("upn", flat=True))


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


@pytest.fixture
def people(org_a, org_b):
    """A few users of A that differ in one thing each, and look-alikes in B and on the Deleted users tab."""
    tenant = org_a.tenant
    sales = make_user(tenant, "ann", department="Sales", usage_location="DE")
    LicenseAssignment.objects.create(tenant=tenant, user=sales, sku=e3())
    blocked = make_user(tenant, "bob", department="sales", usage_location="NL", is_active=False)
    gone = make_user(tenant, "gina", department="Sales", usage_location="DE")
    LicenseAssignment.objects.create(tenant=tenant, user=gone, sku=e3())
    User.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    make_user(org_b.tenant, "ann", department="Sales", usage_location="DE")
    group = group_create(tenant=tenant, actor=ACTOR, display_name="Sellers")
    group_members_add(group=group, actor=ACTOR, user_ids=[sales.pk, org_a.user_admin.pk])
    return {"sales": sales, "blocked": blocked, "group": group}


def upns(*users):
    return {user.upn for user in users}


def test_each_filter_shows_exactly_its_live_users_of_this_organization(org_a, people):
    sales, blocked = people["sales"], people["blocked"]
    everyone = set(User.objects.filter(tenant=org_a.tenant, deleted_at=None).values_list("upn", flat=True))

    assert shows(org_a, {"sku": str(e3().pk)}) == upns(sales)
    assert shows(org_a, {"unlicensed": True}) == everyone - upns(sales)
    assert shows(org_a, {"department": "SALES"}) == upns(sales, blocked)
    assert shows(org_a, {"country": "DE"}) == upns(sales)
    assert shows(org_a, {"sign_in": "blocked"}) == upns(blocked)
    assert shows(org_a, {"sign_in": "allowed"}) == everyone - upns(blocked)
    assert shows(org_a, {"role": Role.USER_ADMIN}) == upns(org_a.user_admin)
    assert shows(org_a, {"group": str(people["group"].pk)}) == upns(sales, org_a.user_admin)
    assert shows(org_a, {"domain": org_a.tenant.initial_domain}) == everyone


def test_filters_are_anded(org_a, people):
    assert shows(org_a, {"department": "sales", "sign_in": "allowed"}) == upns(people["sales"])
    assert shows(org_a, {"group": str(people["group"].pk), "role": Role.USER_ADMIN}) == upns(org_a.user_admin)
    assert shows(org_a, {"department": "sales", "country": "NL", "sign_in": "allowed"}) == set()


def test_create_cleans_and_stores_only_chosen_filters_and_audits(org_a, people):
    view = custom_view_create(tenant=org_a.tenant, actor=ACTOR, name=" Blocked sellers ", filters={
        "department": " Sales ", "sign_in": "blocked", "country": "de", "sku": "", "unlicensed": False, "group": None})

    assert view.name == "Blocked sellers"
    assert view.filters == {"department": "Sales", "country": "DE", "sign_in": "blocked"}
    event = AuditEvent.objects.get(action="custom_view.create")
    assert event.changes["filters"] == [None, view.filters]


@pytest.mark.parametrize("filters, field", [
    ({"sku": "00000000-0000-0000-0000-000000000000"}, "sku"),
    ({"sku": "not-a-uuid"}, "sku"),
    ({"domain": "not-ours.example"}, "domain"),
    ({"country": "XX"}, "country"),
    ({"sign_in": "maybe"}, "sign_in"),
    ({"role": "emperor"}, "role"),
    ({"group": "00000000-0000-0000-0000-000000000000"}, "group"),
    ({"department": "d" * 65}, "department"),
    ({"unlicensed": "yes"}, "unlicensed"),
    ({}, "filters"),
    ({"colour": "blue"}, "filters"),
])
def test_bad_filters_are_refused_by_name(org_a, filters, field):
    errors = errors_of(lambda: custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="V", filters=filters))
    assert field in errors
    assert not CustomView.objects.exists()


def test_a_license_and_without_licenses_together_are_refused(org_a):
    errors = errors_of(lambda: custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="V",
                                                  filters={"sku": str(e3().pk), "unlicensed": True}))
    assert "not both" in errors["unlicensed"][0]


def test_another_organizations_group_cannot_be_a_filter(org_a, org_b):
    theirs = group_create(tenant=org_b.tenant, actor=ACTOR, display_name="Theirs")
    errors = errors_of(lambda: custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="V",
                                                  filters={"group": str(theirs.pk)}))
    assert "group" in errors


@pytest.mark.parametrize("name, message", [("", "Enter a name"), ("n" * 65, "at most 64")])
def test_name_is_required_and_at_most_64(org_a, name, message):
    errors = errors_of(lambda: custom_view_create(tenant=org_a.tenant, actor=ACTOR, name=name, filters={"sign_in": "blocked"}))
    assert message in errors["name"][0]


def test_names_are_unique_per_organization_in_any_case(org_a, org_b):
    custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="Blocked", filters={"sign_in": "blocked"})
    errors = errors_of(lambda: custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="BLOCKED",
                                                  filters={"sign_in": "blocked"}))
    assert "already exists" in errors["name"][0]
    assert custom_view_create(tenant=org_b.tenant, actor=ACTOR, name="blocked", filters={"sign_in": "blocked"})


def test_the_51st_view_is_refused_with_a_clear_message(org_a, org_b):
    CustomView.objects.bulk_create(CustomView(tenant=org_a.tenant, name=f"View {n}", filters={"sign_in": "blocked"})
                                   for n in range(MAX_CUSTOM_VIEWS - 1))
    custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="The 50th", filters={"sign_in": "blocked"})

    with pytest.raises(TooManyViews) as caught:
        custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="The 51st", filters={"sign_in": "blocked"})

    assert "already has 50 custom views" in caught.value.messages[0]
    assert CustomView.objects.filter(tenant=org_a.tenant).count() == MAX_CUSTOM_VIEWS
    # The limit is per organization.
    assert custom_view_create(tenant=org_b.tenant, actor=ACTOR, name="B's first", filters={"sign_in": "blocked"})


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks; run with DATABASE_URL")
def test_two_admins_racing_for_the_50th_view_get_one_view(org_a):
    CustomView.objects.bulk_create(CustomView(tenant=org_a.tenant, name=f"View {n}", filters={"sign_in": "blocked"})
                                   for n in range(MAX_CUSTOM_VIEWS - 1))
    start, outcomes = threading.Barrier(2), []

    def create(name):
        start.wait()
        try:
            custom_view_create(tenant=org_a.tenant, actor=ACTOR, name=name, filters={"sign_in": "blocked"})
            outcomes.append("created")
        except TooManyViews:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(f"Racer {n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created", "refused"]
    assert CustomView.objects.filter(tenant=org_a.tenant).count() == MAX_CUSTOM_VIEWS


def test_update_replaces_filters_renames_and_audits_the_difference(org_a, people):
    view = custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="Blocked", filters={"sign_in": "blocked"})

    custom_view_update(view=view, actor=ACTOR, name="Sellers", filters={"group": str(people["group"].pk)})

    view.refresh_from_db()
    assert (view.name, view.filters) == ("Sellers", {"group": str(people["group"].pk)})
    event = AuditEvent.objects.get(action="custom_view.update")
    assert event.changes["name"] == ["Blocked", "Sellers"]


def test_a_bad_update_changes_nothing(org_a):
    view = custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="Blocked", filters={"sign_in": "blocked"})
    errors_of(lambda: custom_view_update(view=view, actor=ACTOR, name="Renamed", filters={"country": "XX"}))
    view.refresh_from_db()
    assert (view.name, view.filters) == ("Blocked", {"sign_in": "blocked"})


def test_delete_audits_and_leaves_users_alone(org_a):
    view = custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="Blocked", filters={"sign_in": "blocked"})
    custom_view_delete(view=view, actor=ACTOR)
    assert not CustomView.objects.exists()
    assert AuditEvent.objects.filter(action="custom_view.delete", target_label="Blocked").exists()
    assert User.objects.filter(tenant=org_a.tenant).count() == 6

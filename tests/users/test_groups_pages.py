"""Security group pages: list, create/edit, delete confirmation, members (add, remove), roles and isolation."""

import html
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.factories import make_user
from users.custom_view_services import custom_view_create
from users.group_services import group_create, group_members_add
from users.models import GroupMembership, SecurityGroup, User

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")
GROUPS = reverse("users:groups")
NEW = reverse("users:group_create")
NEXT_LINK = re.compile(r'href="\?([^"]*after=[^"]*)"[^>]*>\s*Next page')
# Measured with the cache emptied: the session, the admin with the organization, their roles, the page of groups
# (member counts in the same query), the header's photo version and the admin shell's billing banner. Nothing per row.
LIST_QUERIES = 6
# The same with the group and its page of members instead of the page of groups.
MEMBERS_QUERIES = 7


def make_group(org, name="Sales", members=()):
    group = group_create(tenant=org.tenant, actor=ACTOR, display_name=name)
    if members:
        group_members_add(group=group, actor=ACTOR, user_ids=[user.pk for user in members])
    return group


def next_query(response):
    match = NEXT_LINK.search(response.content.decode())
    return html.unescape(match.group(1)) if match else None


def bulk_users(tenant, count, prefix="Member"):
    return User.objects.bulk_create(
        User(tenant=tenant, upn=f"{prefix.lower()}{n:03}@{tenant.initial_domain}", display_name=f"{prefix} {n:03}",
             password="!") for n in range(count))


# --- list ----------------------------------------------------------------------------------------

def test_list_shows_this_organizations_groups_with_member_counts(org_a, org_b, client_for):
    make_group(org_a, "Sales", members=[org_a.user, org_a.user_admin])
    make_group(org_a, "Support")
    make_group(org_b, "Elsewhere")

    response = client_for(org_a.password_admin).get(GROUPS)

    page = response.content.decode()
    assert [(g.display_name, g.member_count) for g in response.context["groups"]] == [("Sales", 2), ("Support", 0)]
    assert "Elsewhere" not in page
    assert reverse("users:group_create") not in page  # a password admin may look, not change


def test_search_finds_groups_by_name_prefix_and_says_when_nothing_matches(org_a, client_for):
    make_group(org_a, "Sales")
    make_group(org_a, "Support")
    client = client_for(org_a.global_admin)

    assert [g.display_name for g in client.get(GROUPS, {"q": "SU"}).context["groups"]] == ["Support"]
    assert "No group name starts with" in client.get(GROUPS, {"q": "zzz"}).content.decode()


def test_next_links_walk_every_group_once_in_name_order(org_a, client_for):
    SecurityGroup.objects.bulk_create(SecurityGroup(tenant=org_a.tenant, display_name=f"Group {n:03}") for n in range(120))
    client = client_for(org_a.global_admin)
    seen, query = [], ""
    while query is not None:
        response = client.get(f"{GROUPS}?{query}")
        seen += [g.display_name for g in response.context["groups"]]
        query = next_query(response)
    assert seen == [f"Group {n:03}" for n in range(120)]


def test_a_tampered_page_link_starts_again_with_a_warning(org_a, client_for):
    make_group(org_a)
    response = client_for(org_a.global_admin).get(GROUPS, {"after": "forged"})
    assert response.status_code == 200 and "no longer valid" in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_costs_the_same_queries_for_3_and_30_groups(count, org_a, client_for, django_assert_num_queries):
    users = bulk_users(org_a.tenant, 5)
    for n in range(count):
        group = SecurityGroup.objects.create(tenant=org_a.tenant, display_name=f"Group {n:02}")
        GroupMembership.objects.bulk_create(GroupMembership(tenant=org_a.tenant, group=group, user=u) for u in users)
    client = client_for(org_a.global_admin)
    client.get(GROUPS)
    cache.clear()  # the header photo and the billing banner are cached: count their queries every time

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(GROUPS)

    assert len(response.context["groups"]) == count
    assert all(group.member_count == 5 for group in response.context["groups"])


# --- create / edit -------------------------------------------------------------------------------

def test_create_then_lands_on_add_members(org_a, client_for):
    response = client_for(org_a.user_admin).post(NEW, {"display_name": "Sales", "description": "Sellers"})

    group = SecurityGroup.objects.get(tenant=org_a.tenant)
    assert response["Location"] == reverse("users:group_members_add", args=[group.pk])
    assert (group.display_name, group.description) == ("Sales", "Sellers")
    assert AuditEvent.objects.filter(action="group.create", actor=org_a.user_admin).exists()


def test_a_taken_name_is_shown_on_the_field_and_nothing_is_created(org_a, client_for):
    make_group(org_a, "Sales")
    response = client_for(org_a.global_admin).post(NEW, {"display_name": "sAlEs"})

    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["display_name"][0]
    assert SecurityGroup.objects.filter(tenant=org_a.tenant).count() == 1


@pytest.mark.parametrize("name", ["", "x" * 257])
def test_a_missing_or_too_long_name_is_refused(org_a, client_for, name):
    response = client_for(org_a.global_admin).post(NEW, {"display_name": name})
    assert response.context["form"].errors["display_name"]
    assert not SecurityGroup.objects.filter(tenant=org_a.tenant).exists()


def test_edit_renames_and_keeps_members(org_a, client_for):
    group = make_group(org_a, "Sales", members=[org_a.user])
    url = reverse("users:group_edit", args=[group.pk])
    client = client_for(org_a.global_admin)
    assert client.get(url).context["form"].initial["display_name"] == "Sales"

    response = client.post(url, {"display_name": "Sales EU", "description": ""})

    group.refresh_from_db()
    assert response.status_code == 302 and group.display_name == "Sales EU"
    assert GroupMembership.objects.filter(group=group).count() == 1


# --- delete --------------------------------------------------------------------------------------

def test_delete_confirmation_says_what_is_lost_and_then_deletes(org_a, client_for):
    group = make_group(org_a, "Sales", members=[org_a.user, org_a.user_admin])
    custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="Sellers view", filters={"group": str(group.pk)})
    url = reverse("users:group_delete", args=[group.pk])
    client = client_for(org_a.user_admin)

    page = client.get(url).content.decode()
    assert "The memberships of 2 users" in page and "Sellers view" in page

    response = client.post(url, follow=True)
    assert not SecurityGroup.objects.filter(pk=group.pk).exists()
    assert "Sellers view was deleted with it" in response.content.decode()


# --- members -------------------------------------------------------------------------------------

def test_members_page_lists_live_members_only(org_a, client_for):
    gone = make_user(org_a.tenant, "gone")
    group = make_group(org_a, "Sales", members=[org_a.user, gone])
    User.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())

    response = client_for(org_a.service_admin).get(reverse("users:group_members", args=[group.pk]))

    assert list(response.context["members"]) == [org_a.user]
    assert reverse("users:group_members_add", args=[group.pk]) not in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_members_page_costs_the_same_queries_for_3_and_30(count, org_a, client_for, django_assert_num_queries):
    group = make_group(org_a)
    users = bulk_users(org_a.tenant, count)
    GroupMembership.objects.bulk_create(GroupMembership(tenant=org_a.tenant, group=group, user=u) for u in users)
    url = reverse("users:group_members", args=[group.pk])
    client = client_for(org_a.global_admin)
    client.get(url)
    cache.clear()  # the header photo and the billing banner are cached: count their queries every time

    with django_assert_num_queries(MEMBERS_QUERIES):
        response = client.get(url)

    assert len(response.context["members"]) == count


def test_members_page_pages_and_searches(org_a, client_for):
    group = make_group(org_a)
    users = bulk_users(org_a.tenant, 60)
    GroupMembership.objects.bulk_create(GroupMembership(tenant=org_a.tenant, group=group, user=u) for u in users)
    client = client_for(org_a.global_admin)
    url = reverse("users:group_members", args=[group.pk])

    first = client.get(url)
    second = client.get(f"{url}?{next_query(first)}")

    shown = [u.pk for u in first.context["members"]] + [u.pk for u in second.context["members"]]
    assert sorted(shown) == sorted(u.pk for u in users) and len(set(shown)) == 60
    assert [u.display_name for u in client.get(url, {"q": "member 007"}).context["members"]] == ["Member 007"]


def test_add_members_searches_live_non_members_of_this_organization(org_a, org_b, client_for):
    group = make_group(org_a, members=[org_a.user_admin])
    make_user(org_a.tenant, "pat", display_name="Pat Member")
    gone = make_user(org_a.tenant, "patgone", display_name="Pat Gone")
    User.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    make_user(org_b.tenant, "patb", display_name="Pat Elsewhere")
    url = reverse("users:group_members_add", args=[group.pk])

    response = client_for(org_a.global_admin).get(url, {"q": "pat"})

    assert [u.display_name for u in response.context["candidates"]] == ["Pat Member"]
    assert client_for(org_a.global_admin).get(url, {"q": "useradmin"}).context["candidates"] == []


def test_adding_the_ticked_users_and_ignoring_foreign_ids(org_a, org_b, client_for):
    group = make_group(org_a)
    stranger = make_user(org_b.tenant, "stranger")
    url = reverse("users:group_members_add", args=[group.pk])

    response = client_for(org_a.user_admin).post(url, {"ids": [str(org_a.user.pk), str(stranger.pk), "junk"]}, follow=True)

    assert list(GroupMembership.objects.filter(group=group).values_list("user_id", flat=True)) == [org_a.user.pk]
    assert "1 member was added" in response.content.decode()


def test_adding_nobody_warns(org_a, client_for):
    group = make_group(org_a)
    response = client_for(org_a.user_admin).post(reverse("users:group_members_add", args=[group.pk]), follow=True)
    assert "Select the users to add first" in response.content.decode()


def test_removing_the_ticked_members(org_a, client_for):
    group = make_group(org_a, members=[org_a.user, org_a.user_admin])
    url = reverse("users:group_members_remove", args=[group.pk])

    response = client_for(org_a.user_admin).post(url, {"ids": [str(org_a.user.pk)]}, follow=True)

    assert list(GroupMembership.objects.filter(group=group).values_list("user_id", flat=True)) == [org_a.user_admin.pk]
    assert "1 member was removed" in response.content.decode()
    assert AuditEvent.objects.filter(action="group.members_remove", actor=org_a.user_admin).exists()


# --- roles and isolation -------------------------------------------------------------------------

def test_other_tenant_gets_404_on_every_group_page(org_a, org_b, client_for):
    group = make_group(org_a, members=[org_a.user])
    client = client_for(org_b.global_admin)
    for name in ("group_members", "group_edit", "group_delete", "group_members_add"):
        assert client.get(reverse(f"users:{name}", args=[group.pk])).status_code == 404, name
    for name in ("group_edit", "group_delete", "group_members_add", "group_members_remove"):
        assert client.post(reverse(f"users:{name}", args=[group.pk]),
                           {"display_name": "B's", "ids": [str(org_a.user.pk)]}).status_code == 404, name
    assert SecurityGroup.objects.get(pk=group.pk).display_name == "Sales"
    assert GroupMembership.objects.filter(group=group).count() == 1


def test_roles_that_only_read_users_get_403_on_changes(org_a, client_for):
    group = make_group(org_a, members=[org_a.user])
    for role in ("password_admin", "service_admin"):
        client = client_for(org_a.member(role))
        assert client.get(GROUPS).status_code == 200
        assert client.get(reverse("users:group_members", args=[group.pk])).status_code == 200
        assert client.post(NEW, {"display_name": "X"}).status_code == 403
        assert client.post(reverse("users:group_delete", args=[group.pk])).status_code == 403
        assert client.post(reverse("users:group_members_remove", args=[group.pk]),
                           {"ids": [str(org_a.user.pk)]}).status_code == 403
    assert SecurityGroup.objects.filter(tenant=org_a.tenant).count() == 1
    assert GroupMembership.objects.filter(group=group).count() == 1


def test_billing_admins_and_plain_users_get_403(org_a, client_for):
    for role in ("billing_admin", "user"):
        assert client_for(org_a.member(role)).get(GROUPS).status_code == 403

"""The user detail page's Groups card: the user's security groups with links, "Add to group" and "Remove" (with a
confirmation) for admins who manage groups, the audit trail, isolation, roles and a fixed query count."""

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.urls import reverse

from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.factories import make_user
from users.custom_view_services import custom_view_create
from users.group_services import group_create, group_members_add
from users.lifecycle_services import user_delete
from users.models import GroupMembership

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")


def detail(user) -> str:
    return reverse("users:detail", args=[user.pk])


def add_page(user) -> str:
    return reverse("users:user_groups_add", args=[user.pk])


def remove_page(user, group) -> str:
    return reverse("users:user_group_remove", args=[user.pk, group.pk])


def make_group(org, name, members=(), description=""):
    group = group_create(tenant=org.tenant, actor=ACTOR, display_name=name, description=description)
    if members:
        group_members_add(group=group, actor=ACTOR, user_ids=[member.pk for member in members])
    return group


def is_member(user, group) -> bool:
    return GroupMembership.objects.filter(user=user, group=group).exists()


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_card_lists_the_users_groups_by_name_with_links(org_a, client_for):
    beta = make_group(org_a, "beta testers", [org_a.user], description="Early builds")
    alpha = make_group(org_a, "Alpha", [org_a.user])
    gamma = make_group(org_a, "Gamma", [org_a.user_admin])

    response = client_for(org_a.service_admin).get(detail(org_a.user))

    assert [group.pk for group in response.context["groups"]] == [alpha.pk, beta.pk]
    page = response.content.decode()
    assert 'id="user-groups"' in page and "Early builds" in page
    assert reverse("users:group_members", args=[alpha.pk]) in page
    assert reverse("users:group_members", args=[beta.pk]) in page
    assert reverse("users:group_members", args=[gamma.pk]) not in page


def test_a_user_in_no_group_says_so(org_a, client_for):
    page = client_for(org_a.global_admin).get(detail(org_a.user)).content.decode()
    assert 'id="no-groups"' in page


def test_only_admins_who_manage_groups_see_add_and_remove(org_a, client_for):
    group = make_group(org_a, "Sales", [org_a.user])
    for role in ("global_admin", "user_admin"):
        page = client_for(org_a.member(role)).get(detail(org_a.user)).content.decode()
        assert add_page(org_a.user) in page and remove_page(org_a.user, group) in page, role
    for role in ("service_admin", "password_admin"):  # they view users, not change groups
        page = client_for(org_a.member(role)).get(detail(org_a.user)).content.decode()
        assert "Sales" in page, role
        assert add_page(org_a.user) not in page and remove_page(org_a.user, group) not in page, role


def test_add_to_groups_offers_only_other_groups_then_adds_audits_and_returns(org_a, client_for):
    current = make_group(org_a, "Current", [org_a.user])
    sales = make_group(org_a, "Sales")
    support = make_group(org_a, "Support")
    make_group(org_a, "Unchosen")
    client = client_for(org_a.user_admin)

    offered = client.get(add_page(org_a.user)).context["candidates"]
    assert [group.display_name for group in offered] == ["Sales", "Support", "Unchosen"]
    assert current not in offered

    response = client.post(add_page(org_a.user), {"ids": [str(sales.pk), str(support.pk)]})

    assert response.status_code == 302
    assert response["Location"] == detail(org_a.user) + "#user-groups"
    assert is_member(org_a.user, sales) and is_member(org_a.user, support)
    assert texts(response) == [f"{org_a.user.display_name} was added to 2 groups: Sales, Support."]
    events = AuditEvent.objects.filter(tenant=org_a.tenant, action="group.members_add", target_id=str(sales.pk))
    assert events.count() == 1 and events.get().changes["members_added"] == [None, [org_a.user.upn]]
    assert AuditEvent.objects.filter(action="group.members_add", target_id=str(support.pk)).exists()


def test_the_add_page_searches_by_name_prefix_and_says_when_the_list_is_cut(org_a, client_for):
    for n in range(51):
        make_group(org_a, f"Team {n:02d}")
    make_group(org_a, "Finance")
    client = client_for(org_a.global_admin)

    response = client.get(add_page(org_a.user))
    assert len(response.context["candidates"]) == 50 and 'id="more-groups"' in response.content.decode()

    response = client.get(add_page(org_a.user), {"q": "fin"})
    assert [group.display_name for group in response.context["candidates"]] == ["Finance"]
    assert 'id="more-groups"' not in response.content.decode()


def test_the_add_page_explains_an_organization_without_groups(org_a, client_for):
    page = client_for(org_a.global_admin).get(add_page(org_a.user)).content.decode()
    assert "has no security groups yet" in page and reverse("users:group_create") in page


def test_posting_no_group_warns_and_changes_nothing(org_a, client_for):
    make_group(org_a, "Sales")
    response = client_for(org_a.global_admin).post(add_page(org_a.user), {"ids": ["not-an-id"]})

    assert response.status_code == 200
    assert any("Select the groups" in text for text in texts(response))
    assert not GroupMembership.objects.filter(user=org_a.user).exists()


def test_another_organizations_group_posted_is_ignored(org_a, org_b, client_for):
    theirs = make_group(org_b, "Their group")
    response = client_for(org_a.global_admin).post(add_page(org_a.user), {"ids": [str(theirs.pk)]})

    assert response.status_code == 302
    assert not GroupMembership.objects.filter(group=theirs).exists()
    assert not AuditEvent.objects.filter(action="group.members_add", target_id=str(theirs.pk)).exists()


def test_remove_asks_first_saying_what_changes_then_removes(org_a, client_for):
    group = make_group(org_a, "Sales", [org_a.user, org_a.user_admin])
    custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="Sales people", filters={"group": str(group.pk)})
    client = client_for(org_a.user_admin)

    page = client.get(remove_page(org_a.user, group)).content.decode()
    assert 'id="remove-losses"' in page and "Sales people" in page and 'id="confirm-remove"' in page
    assert is_member(org_a.user, group)  # asking changes nothing

    response = client.post(remove_page(org_a.user, group))

    assert response["Location"] == detail(org_a.user) + "#user-groups"
    assert not is_member(org_a.user, group) and is_member(org_a.user_admin, group)
    assert texts(response) == [f"{org_a.user.display_name} was removed from Sales."]
    event = AuditEvent.objects.get(action="group.members_remove", target_id=str(group.pk))
    assert event.changes["members_removed"] == [[org_a.user.upn], None]


def test_removing_someone_who_is_not_a_member_says_so(org_a, client_for):
    group = make_group(org_a, "Sales")
    response = client_for(org_a.global_admin).post(remove_page(org_a.user, group))

    assert response["Location"] == detail(org_a.user) + "#user-groups"
    assert texts(response) == [f"{org_a.user.display_name} is not a member of Sales."]
    assert not AuditEvent.objects.filter(action="group.members_remove").exists()


def test_a_deleted_user_shows_the_groups_kept_for_a_restore_but_no_actions(org_a, client_for):
    person = make_user(org_a.tenant, "leaver")
    group = make_group(org_a, "Sales", [person])
    user_delete(user=person, actor=ACTOR)
    client = client_for(org_a.global_admin)

    page = client.get(detail(person)).content.decode()
    assert "Sales" in page and "come back if the account is restored" in page
    assert add_page(person) not in page and remove_page(person, group) not in page
    assert client.get(add_page(person)).status_code == 404
    assert client.post(remove_page(person, group)).status_code == 404
    assert is_member(person, group)


def test_another_organization_gets_404_and_changes_nothing(org_a, org_b, client_for):
    ours = make_group(org_a, "Sales", [org_a.user])
    theirs = make_group(org_b, "Theirs", [org_b.user])
    client = client_for(org_b.global_admin)

    assert client.get(add_page(org_a.user)).status_code == 404
    assert client.post(add_page(org_a.user), {"ids": [str(theirs.pk)]}).status_code == 404
    assert client.get(remove_page(org_a.user, ours)).status_code == 404
    assert client.post(remove_page(org_a.user, ours)).status_code == 404
    # Their own user with our group, and our user with their group: still a 404.
    assert client.post(remove_page(org_b.user, ours)).status_code == 404
    assert client_for(org_a.global_admin).post(remove_page(org_a.user, theirs)).status_code == 404
    assert is_member(org_a.user, ours) and is_member(org_b.user, theirs)
    assert not GroupMembership.objects.filter(user=org_a.user, group=theirs).exists()


@pytest.mark.parametrize("role", ["service_admin", "password_admin", "billing_admin", "user"])
def test_roles_that_do_not_manage_groups_get_403(role, org_a, client_for):
    group = make_group(org_a, "Sales", [org_a.user])
    other = make_group(org_a, "Other")
    client = client_for(org_a.member(role))

    assert client.get(add_page(org_a.user)).status_code == 403
    assert client.post(add_page(org_a.user), {"ids": [str(other.pk)]}).status_code == 403
    assert client.post(remove_page(org_a.user, group)).status_code == 403
    assert is_member(org_a.user, group) and not is_member(org_a.user, other)


@pytest.mark.parametrize("count", [1, 30])
def test_the_detail_page_costs_one_query_for_the_groups_however_many(count, org_a, client_for,
                                                                     django_assert_num_queries):
    for n in range(count):
        make_group(org_a, f"Group {n}", [org_a.user])
    client = client_for(org_a.global_admin)
    client.get(detail(org_a.user))
    cache.clear()
    # As pinned in test_user_detail.py, the groups being the tenth query.
    with django_assert_num_queries(10):
        response = client.get(detail(org_a.user))
    assert len(response.context["groups"]) == count


@pytest.mark.parametrize("count", [3, 60])
def test_the_add_page_costs_the_same_queries_for_few_and_many_groups(count, org_a, client_for,
                                                                      django_assert_max_num_queries):
    for n in range(count):
        make_group(org_a, f"Group {n:02d}")
    client = client_for(org_a.global_admin)
    client.get(add_page(org_a.user))
    cache.clear()
    # The session, the admin and their roles, the user, the candidate groups, the viewer's photo and the billing
    # banner's subscriptions (cached per organization; emptied above): never one per group.
    with django_assert_max_num_queries(7):
        assert client.get(add_page(org_a.user)).status_code == 200

"""Security group services: names, members, deletion and what goes with it, audit."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.factories import make_user
from users.custom_view_services import custom_view_create
from users.group_selectors import group_list, group_members, user_groups
from users.group_services import (
    group_create, group_delete, group_members_add, group_members_remove, group_update, nickname_from_name,
)
from users.models import CustomView, GroupMembership, SecurityGroup, User

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_create_strips_the_name_derives_a_mail_nickname_and_audits(org_a):
    group = group_create(tenant=org_a.tenant, actor=ACTOR, display_name="  Sales Team (EU) ", description=" Sellers ")

    assert (group.display_name, group.description, group.mail_nickname) == ("Sales Team (EU)", "Sellers", "SalesTeamEU")
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="group.create")
    assert event.target_id == str(group.pk) and event.changes["display_name"] == [None, "Sales Team (EU)"]


@pytest.mark.parametrize("name, message", [("", "Enter a name"), ("   ", "Enter a name"), ("x" * 257, "at most 256")])
def test_create_refuses_a_missing_or_too_long_name(org_a, name, message):
    errors = errors_of(lambda: group_create(tenant=org_a.tenant, actor=ACTOR, display_name=name))
    assert message in errors["display_name"][0]
    assert not SecurityGroup.objects.filter(tenant=org_a.tenant).exists()


def test_a_name_of_256_characters_is_fine(org_a):
    assert group_create(tenant=org_a.tenant, actor=ACTOR, display_name="x" * 256).display_name == "x" * 256


def test_names_are_unique_per_organization_whatever_the_case(org_a, org_b):
    group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Sales")

    errors = errors_of(lambda: group_create(tenant=org_a.tenant, actor=ACTOR, display_name="SALES"))

    assert "already exists" in errors["display_name"][0]
    assert group_create(tenant=org_b.tenant, actor=ACTOR, display_name="sales")  # another organization may
    assert SecurityGroup.objects.filter(tenant=org_a.tenant).count() == 1


def test_the_unique_index_catches_a_name_that_slipped_past_the_check(org_a, monkeypatch):
    # Two admins saving the same name at the same moment both pass the lookup; the index refuses the second.
    group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Sales")
    monkeypatch.setattr("users.group_services.SecurityGroup.objects.filter",
                        lambda **kw: SecurityGroup.objects.none())
    errors = errors_of(lambda: group_create(tenant=org_a.tenant, actor=ACTOR, display_name="sales"))
    assert "already exists" in errors["display_name"][0]


@pytest.mark.parametrize("nickname", ["has space", "a@b", "semi;colon", "ünïcode", "x" * 65])
def test_a_bad_mail_nickname_is_refused(org_a, nickname):
    errors = errors_of(lambda: group_create(tenant=org_a.tenant, actor=ACTOR, display_name="G", mail_nickname=nickname))
    assert "mail_nickname" in errors


def test_nickname_from_a_name_without_safe_characters():
    assert nickname_from_name("Ünï ()") == "n" and nickname_from_name("()") == "group"


def test_update_changes_only_what_differs_and_audits_the_difference(org_a):
    group = group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Sales", description="old")

    group_update(group=group, actor=ACTOR, description="new")
    group_update(group=group, actor=ACTOR, description="new")  # nothing changes: no second event

    group.refresh_from_db()
    assert (group.display_name, group.description) == ("Sales", "new")
    [event] = AuditEvent.objects.filter(tenant=org_a.tenant, action="group.update")
    assert event.changes == {"description": ["old", "new"]}


def test_renaming_to_its_own_name_in_another_case_is_allowed_but_not_to_another_groups(org_a):
    sales = group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Sales")
    group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Support")

    group_update(group=sales, actor=ACTOR, display_name="SALES")
    errors = errors_of(lambda: group_update(group=sales, actor=ACTOR, display_name="support"))

    assert "already exists" in errors["display_name"][0]
    sales.refresh_from_db()
    assert sales.display_name == "SALES"


def test_members_add_takes_only_live_users_of_the_organization_once(org_a, org_b):
    group = group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Sales")
    gone = make_user(org_a.tenant, "gone")
    User.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    stranger = make_user(org_b.tenant, "stranger")

    added = group_members_add(group=group, actor=ACTOR, user_ids=[org_a.user.pk, gone.pk, stranger.pk])
    again = group_members_add(group=group, actor=ACTOR, user_ids=[org_a.user.pk])

    assert [user.pk for user in added] == [org_a.user.pk] and again == []
    assert list(GroupMembership.objects.filter(group=group).values_list("user_id", "tenant_id")) == [
        (org_a.user.pk, org_a.tenant.pk)]
    [event] = AuditEvent.objects.filter(tenant=org_a.tenant, action="group.members_add")
    assert event.changes == {"members_added": [None, [org_a.user.upn]]}


def test_members_remove_removes_only_members_and_audits(org_a):
    group = group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Sales")
    group_members_add(group=group, actor=ACTOR, user_ids=[org_a.user.pk, org_a.user_admin.pk])

    removed = group_members_remove(group=group, actor=ACTOR, user_ids=[org_a.user.pk, org_a.billing_admin.pk])

    assert removed == 1
    assert list(group_members(tenant=org_a.tenant, group=group)) == [org_a.user_admin]
    assert AuditEvent.objects.get(action="group.members_remove").changes == {"members_removed": [[org_a.user.upn], None]}
    assert group_members_remove(group=group, actor=ACTOR, user_ids=[org_a.user.pk]) == 0


def test_deleted_users_leave_member_lists_and_counts_but_come_back_when_restored(org_a):
    group = group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Sales")
    group_members_add(group=group, actor=ACTOR, user_ids=[org_a.user.pk, org_a.user_admin.pk])
    User.objects.filter(pk=org_a.user.pk).update(deleted_at=timezone.now())

    assert list(group_members(tenant=org_a.tenant, group=group)) == [org_a.user_admin]
    assert group_list(tenant=org_a.tenant).get(pk=group.pk).member_count == 1
    assert GroupMembership.objects.filter(group=group).count() == 2  # kept for a restore

    User.objects.filter(pk=org_a.user.pk).update(deleted_at=None)
    assert group_list(tenant=org_a.tenant).get(pk=group.pk).member_count == 2
    assert list(user_groups(tenant=org_a.tenant, user=org_a.user)) == [group]


def test_purging_a_user_removes_their_memberships(org_a):
    group = group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Sales")
    group_members_add(group=group, actor=ACTOR, user_ids=[org_a.user.pk])
    User.objects.filter(pk=org_a.user.pk).delete()
    assert not GroupMembership.objects.filter(group=group).exists()


def test_delete_takes_memberships_and_the_views_that_show_the_group(org_a):
    group = group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Sales")
    other = group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Support")
    group_members_add(group=group, actor=ACTOR, user_ids=[org_a.user.pk, org_a.user_admin.pk])
    custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="Sellers", filters={"group": str(group.pk)})
    kept = custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="Helpers", filters={"group": str(other.pk)})

    lost = group_delete(group=group, actor=ACTOR)

    assert lost == {"members": 2, "views": ["Sellers"]}
    assert list(SecurityGroup.objects.filter(tenant=org_a.tenant)) == [other]
    assert not GroupMembership.objects.filter(tenant=org_a.tenant).exists()
    assert list(CustomView.objects.filter(tenant=org_a.tenant)) == [kept]
    assert User.objects.filter(pk=org_a.user.pk, deleted_at__isnull=True).exists()  # the people stay
    event = AuditEvent.objects.get(action="group.delete")
    assert event.changes["members"] == [2, 0] and event.changes["views_deleted"] == [None, ["Sellers"]]
    assert AuditEvent.objects.filter(action="custom_view.delete", target_label="Sellers").exists()


def test_group_list_counts_members_and_searches_name_prefixes(org_a, org_b):
    sales = group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Sales")
    group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Support")
    group_create(tenant=org_b.tenant, actor=ACTOR, display_name="Sales B")
    group_members_add(group=sales, actor=ACTOR, user_ids=[org_a.user.pk, org_a.user_admin.pk])

    counts = {group.display_name: group.member_count for group in group_list(tenant=org_a.tenant)}
    assert counts == {"Sales": 2, "Support": 0}
    assert [group.display_name for group in group_list(tenant=org_a.tenant, search="sa")] == ["Sales"]

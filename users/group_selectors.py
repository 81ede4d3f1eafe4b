"""Reads for security groups: always inside one organization.

Users on the Deleted users tab keep their memberships (a restore brings them back, as in Entra ID) but are
left out of every member list, member count and memberOf answer; the purge removes the rows for good.
"""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower

from users.models import CustomView, GroupMembership, SecurityGroup, User

SEARCH_MAX_LENGTH = 256


def _live_member_count():
    # A correlated subquery rather than a JOIN + GROUP BY: the page's row query stays one flat SELECT and the
    # count reads only the (group, user) unique index plus the member rows.
    counted = (GroupMembership.objects.filter(group_id=OuterRef("pk"), user__deleted_at__isnull=True)
               .order_by().values("group_id").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def group_list(*, tenant, search: str = "") -> QuerySet:
    """The organization's security groups, name prefix search, with `member_count` (live members) on each row."""
    groups = SecurityGroup.objects.filter(tenant=tenant)
    term = search.strip()[:SEARCH_MAX_LENGTH]
    if term:
        groups = groups.filter(display_name__istartswith=term)
    return groups.annotate(member_count=_live_member_count())


def group_get(*, tenant, group_id) -> SecurityGroup | None:
    return SecurityGroup.objects.filter(tenant=tenant, pk=group_id).first()


def group_members(*, tenant, group: SecurityGroup, search: str = "") -> QuerySet:
    """The live users in `group` (an EXISTS per row: no duplicate rows, and keyset paging works on User's columns)."""
    users = User.objects.filter(tenant=tenant, deleted_at__isnull=True).filter(
        Exists(GroupMembership.objects.filter(group_id=group.pk, user_id=OuterRef("pk"))))
    return _search(users, search)


def member_candidates(*, tenant, group: SecurityGroup, search: str) -> QuerySet:
    """Live users of the organization who are not yet in `group`, matching `search`."""
    users = User.objects.filter(tenant=tenant, deleted_at__isnull=True).exclude(
        Exists(GroupMembership.objects.filter(group_id=group.pk, user_id=OuterRef("pk"))))
    return _search(users, search)


def _search(users: QuerySet, search: str) -> QuerySet:
    term = search.strip()[:SEARCH_MAX_LENGTH]
    if not term:
        return users
    return users.alias(upn_lower=Lower("upn")).filter(
        Q(display_name__istartswith=term) | Q(upn__istartswith=term) | Q(upn_lower=term.lower()))


def user_groups(*, tenant, user: User) -> QuerySet:
    """The groups `user` is a member of (Graph's memberOf)."""
    return SecurityGroup.objects.filter(tenant=tenant).filter(
        Exists(GroupMembership.objects.filter(group_id=OuterRef("pk"), user_id=user.pk)))


def views_filtering_on(*, tenant, group: SecurityGroup) -> QuerySet:
    """The custom views that show members of `group`: deleting the group deletes them too."""
    return CustomView.objects.filter(tenant=tenant, filters__group=str(group.pk)).order_by(Lower("name"))


def group_choices(*, tenant) -> list[tuple[str, str]]:
    """(id, name) of every group of the organization, by name: the custom view form's drop-down."""
    return [(str(pk), name) for pk, name in
            SecurityGroup.objects.filter(tenant=tenant).order_by(Lower("display_name"), "pk").values_list("pk", "display_name")]

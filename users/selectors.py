"""Reads for the Users page and the user detail page: always inside one organization."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from billing.models import Sku, Subscription
from users.group_selectors import user_groups
from users.models import CustomView, GroupMembership, LicenseAssignment, RoleAssignment, SecurityGroup, User
from users.views_catalog import StandardView, standard_view

# SPEC users/ "Delete and restore": a deleted account can be restored for 30 days, then it is purged.
PURGE_AFTER = timedelta(days=30)
SEARCH_MAX_LENGTH = 256
# Sort keys of the page and the API-like URL parameter → a non-null column (keyset paging needs that).
SORTS = {"display_name": "display_name", "upn": "upn", "created": "created_at", "deleted": "deleted_at"}
DEFAULT_SORT = "display_name"


def sort_key(view: str, sort: str) -> str:
    """A valid sort key for `view`: deletion time exists (is non-null) only on the Deleted users view."""
    if sort not in SORTS or (sort == "deleted" and standard_view(view).key != "deleted"):
        return DEFAULT_SORT
    return sort


def _search(users: QuerySet, search: str) -> QuerySet:
    """Prefix matches on display name, user name and alternate e-mail (prefixes can use an index), or the exact
    user name in any case (the live-name unique index on lower(upn))."""
    term = search.strip()[:SEARCH_MAX_LENGTH]
    if not term:
        return users
    return users.alias(upn_lower=Lower("upn")).filter(
        Q(display_name__istartswith=term) | Q(upn__istartswith=term) | Q(alternate_email__istartswith=term)
        | Q(upn_lower=term.lower())
    )


def _with_licenses_and_roles(users: QuerySet, tenant) -> QuerySet:
    return users.prefetch_related(
        Prefetch("licenses", queryset=LicenseAssignment.objects.filter(tenant=tenant).select_related("sku")
                 .order_by("sku__name", "pk")),
        Prefetch("role_assignments", queryset=RoleAssignment.objects.filter(tenant=tenant).order_by("role")),
    )


def user_list(*, tenant, view: str | StandardView = "all", search: str = "", sort: str = DEFAULT_SORT,
              descending: bool = False) -> QuerySet:
    """The organization's users in a view (a standard view's key, or a view from views_catalog.user_view for
    custom views), searched and sorted (ties broken by id), with their licenses (and plans) and roles
    prefetched for whichever rows are fetched: a fixed number of queries per page or per iterator chunk."""
    if not isinstance(view, StandardView):
        view = standard_view(view)
    field = SORTS[sort_key(view.key, sort)]
    users = view.narrow(User.objects.filter(tenant=tenant))
    direction = "-" if descending else ""
    return _with_licenses_and_roles(_search(users, search).order_by(direction + field, direction + "pk"), tenant)


def user_order(view: str, sort: str, descending: bool) -> list[tuple[str, bool]]:
    """The keyset order for `tenantadmin.paging.keyset_page` matching `user_list`."""
    return [(SORTS[sort_key(view, sort)], descending)]


def users_with_details(*, tenant) -> QuerySet:
    """The organization's users, deleted ones included, with the organization, roles and licenses."""
    return _with_licenses_and_roles(User.objects.filter(tenant=tenant).select_related("tenant"), tenant)


def user_group_list(*, tenant, user: User) -> list[SecurityGroup]:
    """The security groups `user` is a member of, by name: the user detail page's Groups card (one query).
    A deleted user keeps their memberships for a restore, so they are listed for them too."""
    return list(user_groups(tenant=tenant, user=user).order_by(Lower("display_name"), "pk"))


def groups_to_join(*, tenant, user: User, search: str = "") -> QuerySet:
    """The organization's security groups `user` is not in yet, by name, optionally by name prefix."""
    groups = SecurityGroup.objects.filter(tenant=tenant).exclude(
        Exists(GroupMembership.objects.filter(group_id=OuterRef("pk"), user_id=user.pk)))
    term = search.strip()[:SEARCH_MAX_LENGTH]
    if term:
        groups = groups.filter(display_name__istartswith=term)
    return groups.order_by(Lower("display_name"), "pk")


def purge_at(user: User):
    """When a deleted account is purged for good (None for a live one)."""
    return user.deleted_at + PURGE_AFTER if user.deleted_at else None


def sign_in_targets(*, tenant, user_ids, by: User) -> tuple[list, int, bool]:
    """(ids that `by` may block or allow, administrators skipped, whether `by` was among them) for posted ids.

    Only live users of `tenant` count, whatever was posted. SPEC role table: only a global administrator
    changes an administrator. Nobody blocks themselves here: it would end their own session's work.
    """
    targets = User.objects.filter(tenant=tenant, deleted_at__isnull=True, pk__in=list(user_ids))
    ids_and_admin = list(targets.annotate(is_admin=Exists(RoleAssignment.objects.filter(user_id=OuterRef("pk"))))
                         .values_list("pk", "is_admin"))
    skipped_admins = 0 if by.is_global_admin else sum(1 for pk, is_admin in ids_and_admin if is_admin and pk != by.pk)
    allowed_ids = [pk for pk, is_admin in ids_and_admin if pk != by.pk and (by.is_global_admin or not is_admin)]
    return allowed_ids, skipped_admins, any(pk == by.pk for pk, _ in ids_and_admin)


def custom_view_list(*, tenant) -> list:
    """The organization's custom views by name (at most 50, so one small query; the Users page loads them all
    for its view selector)."""
    return list(CustomView.objects.filter(tenant=tenant).select_related("created_by").order_by(Lower("name"), "pk"))


def license_filter_choices(*, tenant) -> list[tuple[str, str]]:
    """(skuId, name) of the plans the organization has subscriptions of, or licenses of: a custom view's
    "Assigned license" choices."""
    subscribed = Subscription.objects.filter(tenant=tenant, sku_id=OuterRef("pk")).exclude(
        status=Subscription.Status.DELETED)
    held = LicenseAssignment.objects.filter(tenant=tenant, sku_id=OuterRef("pk"))
    return [(str(pk), name) for pk, name in
            Sku.objects.filter(Exists(subscribed) | Exists(held), applies_to=Sku.AppliesTo.USER)  # add-ons: nobody holds one
            .order_by("name", "pk").values_list("pk", "name")]

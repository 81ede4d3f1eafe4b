"""The views of the Users page (SPEC users/ "User views"): the standard views, not editable and the same for
every organization, and the organization's custom views (shared filters, up to 50), whose saved filters are
turned into a query here."""

from dataclasses import dataclass
from typing import Callable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from billing.models import Sku
from tenantadmin.roles import Role
from users.models import CustomView, GroupMembership, LicenseAssignment, RoleAssignment, SecurityGroup


@dataclass(frozen=True)
class StandardView:
    key: str
    label: Promise
    help: Promise
    empty: Promise
    # Narrows the organization's users (deleted ones included) to this view's members.
    narrow: Callable[[QuerySet], QuerySet]


def _live(users: QuerySet) -> QuerySet:
    return users.filter(deleted_at__isnull=True)


def _licensed():
    # Correlated EXISTS: served by the unique (user, sku) index, no join that could repeat rows.
    return Exists(LicenseAssignment.objects.filter(user_id=OuterRef("pk")))


def _holds_a_role():
    return Exists(RoleAssignment.objects.filter(user_id=OuterRef("pk")))


STANDARD_VIEWS = [
    StandardView("all", _("All users"), _("Everyone in your organization who is not deleted."),
                 _("Your organization has no users yet."), _live),
    StandardView("signin_allowed", _("Sign-in allowed"), _("Users who can sign in."),
                 _("No user can sign in."), lambda users: _live(users).filter(is_active=True)),
    StandardView("signin_blocked", _("Sign-in blocked"),
                 _("Users whose sign-in is blocked. A blocked account still exists and keeps its licenses."),
                 _("No user is blocked from signing in."), lambda users: _live(users).filter(is_active=False)),
    StandardView("unlicensed", _("Unlicensed users"), _("Users who hold no license and so cannot use any service."),
                 _("Every user holds a license."), lambda users: _live(users).filter(~_licensed())),
    StandardView("errors", _("Users with errors"),
                 _("Users whose accounts could not be set up in a service (provisioning errors). "
                   "This organization's services report no such errors, so this view stays empty."),
                 _("No user has provisioning errors."), lambda users: users.none()),
    StandardView("admins", _("Administrators"), _("Users who hold an administrator role."),
                 _("Nobody holds an administrator role."), lambda users: _live(users).filter(_holds_a_role())),
    StandardView("deleted", _("Deleted users"),
                 _("Deleted users stay here for 30 days; after that they are removed for good."),
                 _("No user was deleted in the last 30 days."), lambda users: users.filter(~Q(deleted_at=None))),
]

VIEWS_BY_KEY = {view.key: view for view in STANDARD_VIEWS}
DEFAULT_VIEW = "all"


def standard_view(key: str) -> StandardView:
    """The view named `key`, or All users for an unknown key (an old bookmark, a typo)."""
    return VIEWS_BY_KEY.get(key, VIEWS_BY_KEY[DEFAULT_VIEW])


# ------------------------------------------------------------------------------------------------ custom views

def _holds(model, **lookup):
    return Exists(model.objects.filter(user_id=OuterRef("pk"), **lookup))


def filters_q(filters: dict) -> Q:
    """The saved filters of a custom view (see CustomView.filters), ANDed, as one condition on users.

    Relations are correlated EXISTS, so a user matches once whatever they hold and the page can be keyset paged."""
    condition = Q()
    if filters.get("sku"):
        condition &= Q(_holds(LicenseAssignment, sku_id=filters["sku"]))
    if filters.get("unlicensed"):
        condition &= ~Q(_licensed())
    if filters.get("domain"):
        condition &= Q(upn__iendswith="@" + filters["domain"])
    if filters.get("department"):
        condition &= Q(department__iexact=filters["department"])
    if filters.get("country"):
        condition &= Q(usage_location=filters["country"])
    if filters.get("sign_in") in ("allowed", "blocked"):
        condition &= Q(is_active=filters["sign_in"] == "allowed")
    if filters.get("role"):
        condition &= Q(_holds(RoleAssignment, role=filters["role"]))
    if filters.get("group"):
        condition &= Q(_holds(GroupMembership, group_id=filters["group"]))
    return condition


def custom_view_as_view(view: CustomView) -> StandardView:
    """A custom view in the shape of a standard one; it never shows deleted users."""
    condition = filters_q(view.filters or {})
    return StandardView(
        str(view.pk), view.name, _("A custom view of your organization."),
        _("No user matches this view's filters."), lambda users: _live(users).filter(condition))


def user_view(key: str, custom_views=()) -> StandardView:
    """The standard view named `key`, else the custom view (among `custom_views`) whose id is `key`, else All users."""
    if key in VIEWS_BY_KEY:
        return VIEWS_BY_KEY[key]
    for view in custom_views:
        if str(view.pk) == key:
            return custom_view_as_view(view)
    return VIEWS_BY_KEY[DEFAULT_VIEW]


FILTER_LABELS = {
    "sku": _("License"), "unlicensed": _("Without licenses"), "domain": _("Domain"), "department": _("Department"),
    "country": _("User location"), "sign_in": _("Sign-in status"), "role": _("Role"), "group": _("Member of"),
}


def filter_descriptions(*, tenant, views) -> dict:
    """{view id: ["License: Office 365 E3", "Member of: Sales", ...]} for `views`, in two queries whatever
    their number (plan names and the named groups of the organization)."""
    views = list(views)
    sku_ids = {view.filters.get("sku") for view in views if view.filters.get("sku")}
    group_ids = {view.filters.get("group") for view in views if view.filters.get("group")}
    skus = {str(pk): name for pk, name in Sku.objects.filter(pk__in=sku_ids).values_list("pk", "name")} if sku_ids else {}
    groups = ({str(pk): name for pk, name in SecurityGroup.objects.filter(tenant=tenant, pk__in=group_ids)
               .values_list("pk", "display_name")} if group_ids else {})
    values = {
        "sku": lambda value: skus.get(str(value), value),
        "unlicensed": lambda value: _("yes"),
        "domain": str, "department": str,
        "country": lambda value: countries.name(value) or value,
        "sign_in": lambda value: _("Allowed") if value == "allowed" else _("Blocked"),
        "role": lambda value: Role(value).label if value in Role.values else value,
        "group": lambda value: groups.get(str(value), value),
    }
    result = {}
    for view in views:
        # In the form's order: PostgreSQL's jsonb keeps keys in its own order.
        filters = view.filters or {}
        result[view.pk] = [f"{label}: {values[key](filters[key])}" for key, label in FILTER_LABELS.items()
                           if filters.get(key)]
    return result

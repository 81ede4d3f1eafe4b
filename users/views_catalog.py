"""The standard views of the Users page (SPEC users/ "User views"): not editable, the same for every
organization. Custom views (shared filters, up to 50 per organization) come with the users issue's next part."""

from dataclasses import dataclass
from typing import Callable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from users.models import LicenseAssignment, RoleAssignment


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

"""The Users page (standard views, search, sort, keyset pages, bulk block/allow, CSV export) and the
read-only user detail page."""

import csv
import math
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import datetime

from django.contrib import messages
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _, gettext_lazy as _lazy, ngettext
from django.views.decorators.http import require_POST

from tenantadmin.access import has_perm, require_perm, tenant_object_or_404
from tenantadmin.actors import Actor
from tenantadmin.csvsafe import safe_row
from tenantadmin.forms import posted_ids
from tenantadmin.paging import CursorError, keyset_page
from tenantadmin.plan_hints import collect_then_sort
from tenantadmin.roles import Perm
from users.photos import photo_urls
from users.password_services import password_reset_allowed, signin_locked, signin_locks
from users.license_status import OFF, license_statuses
from users.selectors import (
    DEFAULT_SORT, custom_view_list, purge_at, sign_in_targets, sort_key, user_group_list, user_list, user_order,
    users_with_details,
)
from users.services import users_set_sign_in
from users.views_catalog import STANDARD_VIEWS, filter_descriptions, user_view

PAGE_SIZE = 50
EXPORT_CHUNK = 2000
SORT_COLUMNS = [("display_name", _lazy("Display name")), ("upn", _lazy("User name")), ("created", _lazy("Created")),
                ("deleted", _lazy("Deleted"))]


@dataclass
class UserRow:
    user: object
    photo_url: str
    locked_until: datetime | None
    purge_at: datetime | None
    days_until_purge: int | None


def _listing(params, custom_views=()) -> dict:
    """The user_list arguments from the query string; anything unknown falls back to the defaults. `view` is a
    standard view's key or a custom view's id."""
    view = user_view(params.get("view", ""), custom_views).key
    return {"view": view, "search": params.get("q", "").strip(), "sort": sort_key(view, params.get("sort", DEFAULT_SORT)),
            "descending": params.get("desc") == "1"}


def _query(listing: dict, **changes) -> str:
    """The query string of a listing; defaults are left out so links stay short."""
    values = {**listing, **changes}
    params = {"view": values["view"], "q": values["search"], "sort": values["sort"], "desc": "1" if values["descending"] else ""}
    return urlencode({key: value for key, value in params.items()
                      if value and not (key == "view" and value == "all") and not (key == "sort" and value == DEFAULT_SORT)})


def _days_left(until: datetime | None, now: datetime) -> int | None:
    return None if until is None else max(0, math.ceil((until - now).total_seconds() / 86400))


def _rows(request, items) -> list[UserRow]:
    if not items:
        return []
    locks = signin_locks(tenant=request.tenant)
    # The viewer's own photo (page header) joins the batch, so the cost is the same whether or not they are listed.
    photos = photo_urls(tenant=request.tenant, users=[*items, request.user])
    now = timezone.now()
    rows = []
    for user in items:
        purge = purge_at(user)
        rows.append(UserRow(user=user, photo_url=photos[user.pk], purge_at=purge, days_until_purge=_days_left(purge, now),
                            locked_until=None if user.deleted_at else locks.get(user.upn)))
    return rows


def _chosen_view(request, listing, custom_views):
    """The view to show; a custom view's help text lists its filters."""
    view = user_view(listing["view"], custom_views)
    chosen = next((custom for custom in custom_views if str(custom.pk) == view.key), None)
    if chosen is None:
        return view
    filters = filter_descriptions(tenant=request.tenant, views=[chosen])[chosen.pk]
    return replace(view, help=_("Custom view: %(filters)s.") % {"filters": "; ".join(filters)})


@require_perm(Perm.USERS_READ)
def users_page(request):
    custom_views = custom_view_list(tenant=request.tenant)
    listing = _listing(request.GET, custom_views)
    view = _chosen_view(request, listing, custom_views)
    users = user_list(tenant=request.tenant, **{**listing, "view": view})
    order = user_order(listing["view"], listing["sort"], listing["descending"])
    salt = f"users.list:{listing['view']}:{listing['sort']}"
    cursor = request.GET.get("after")
    # A search's matches are collected through the prefix indexes and then sorted (see plan_hints).
    with collect_then_sort() if listing["search"] else nullcontext():
        try:
            page = keyset_page(users, order=order, size=PAGE_SIZE, cursor=cursor, salt=salt)
        except CursorError:
            messages.warning(request, _("That page link is no longer valid; showing the first page."))
            cursor = None
            page = keyset_page(users, order=order, size=PAGE_SIZE, cursor=None, salt=salt)
    sortable = SORT_COLUMNS if listing["view"] == "deleted" else SORT_COLUMNS[:-1]
    # A heading sorts by its column; clicking the current sort column again reverses the direction.
    columns = [{"key": key, "label": label, "active": listing["sort"] == key,
                "query": _query(listing, sort=key, descending=listing["sort"] == key and not listing["descending"])}
               for key, label in sortable]
    return render(request, "users/list.html", {
        "listing": listing, "view": view, "views": STANDARD_VIEWS, "custom_views": custom_views, "page": page,
        "rows": _rows(request, page.items), "columns": columns, "filter_query": _query(listing),
        "is_first_page": not cursor, "can_write": has_perm(request, Perm.USERS_WRITE),
        "can_unlock": has_perm(request, Perm.PASSWORDS_RESET), "next_url": request.get_full_path(),
    })


class _Echo:
    """A file-like sink for csv.writer that hands each row back instead of storing it."""

    def write(self, value):
        return value


def _export_lines(users, header, allowed_label, blocked_label):
    writer = csv.writer(_Echo())
    # The BOM tells spreadsheet programs the file is UTF-8 (names with accents survive a double-click).
    yield "\ufeff" + writer.writerow(safe_row(header))
    for user in users.iterator(chunk_size=EXPORT_CHUNK):
        yield writer.writerow(safe_row([
            user.upn, user.first_name, user.last_name, user.display_name, user.job_title, user.department, user.office,
            user.office_phone, user.mobile_phone, user.fax, user.street, user.city, user.state, user.postal_code,
            user.country_name, allowed_label if user.is_active else blocked_label,
            "; ".join(assignment.sku.name for assignment in user.licenses.all()),
        ]))


@require_perm(Perm.USERS_READ)
def users_export(request):
    """Every user of the current view and search, streamed: memory stays flat at any size."""
    custom_views = custom_view_list(tenant=request.tenant)
    listing = _listing(request.GET, custom_views)
    # SPEC users/ CSV table order (the bulk import reads the same columns), then status and licenses.
    header = [_("User Name"), _("First Name"), _("Last Name"), _("Display Name"), _("Job Title"), _("Department"),
              _("Office Number"), _("Office Phone"), _("Mobile Phone"), _("Fax"), _("Address"), _("City"),
              _("State or Province"), _("ZIP or Postal Code"), _("Country or Region"), _("Sign-in status"),
              _("Licenses")]
    # Labels are translated now: the rows are written after the view returns, outside the request's language.
    view = user_view(listing["view"], custom_views)
    lines = _export_lines(user_list(tenant=request.tenant, **{**listing, "view": view}), header, _("Allowed"),
                          _("Blocked"))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="users-{listing["view"]}.csv"'
    return response



def _back(request) -> HttpResponseRedirect:
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("users:list")
    return HttpResponseRedirect(next_url)


@require_POST
@require_perm(Perm.USERS_WRITE)
def users_sign_in(request):
    """Block or allow sign-in for the selected users of this organization."""
    allowed = request.POST.get("allowed") == "1"
    ids, skipped_admins, was_self = sign_in_targets(tenant=request.tenant, user_ids=posted_ids(request.POST.getlist("ids")),
                                                    by=request.user)
    if not ids and not skipped_admins and not was_self:
        messages.warning(request, _("Select the users first."))
        return _back(request)
    changed = users_set_sign_in(user_ids=ids, allowed=allowed, actor=Actor.from_request(request)) if ids else 0
    if ids:
        text = (ngettext("Sign-in is allowed again for %(count)d user.", "Sign-in is allowed again for %(count)d users.", changed)
                if allowed else
                ngettext("Sign-in is blocked for %(count)d user.", "Sign-in is blocked for %(count)d users.", changed))
        messages.success(request, text % {"count": changed})
    if skipped_admins:
        messages.warning(request, ngettext(
            "%(count)d administrator was skipped: only a global administrator can block or allow an administrator.",
            "%(count)d administrators were skipped: only a global administrator can block or allow an administrator.",
            skipped_admins) % {"count": skipped_admins})
    if was_self:
        messages.warning(request, _("Your own account was skipped: you cannot change your own sign-in status."))
    return _back(request)


def _license_rows(request, person) -> list[dict]:
    """Each license with its service plans and the state of its plan's subscriptions (billing's cached digest, which
    the page's billing banner reads anyway: no extra query when the viewer sees the banner)."""
    return [{"sku": status.sku, "status": status, "plans": [
        {"name": plan["name"], "disabled": plan["state"] == OFF} for plan in status.plans()]}
        for status in license_statuses(tenant=request.tenant, assignments=person.licenses.all())]


@require_perm(Perm.USERS_READ)
def user_detail(request, user_id):
    person = tenant_object_or_404(users_with_details(tenant=request.tenant), request.tenant, pk=user_id)
    live = person.deleted_at is None
    holds_role = bool(person.role_assignments.all())
    purge = purge_at(person)
    return render(request, "users/detail.html", {
        "person": person, "live": live, "roles": person.role_assignments.all(), "licenses": _license_rows(request, person),
        "can_open_subscriptions": has_perm(request, Perm.BILLING_READ),
        "photo_url": photo_urls(tenant=request.tenant, users=[person, request.user])[person.pk],
        "locked": live and signin_locked(person), "purge_at": purge, "days_until_purge": _days_left(purge, timezone.now()),
        "can_unlock": has_perm(request, Perm.PASSWORDS_RESET),
        "can_reset_password": live and password_reset_allowed(Actor.from_request(request), person),
        "can_change_sign_in": (live and person.pk != request.user.pk and has_perm(request, Perm.USERS_WRITE)
                               and (request.user.is_global_admin or not holds_role)),
        "next_url": request.get_full_path(),
        # The Groups card: one query; only a live account's memberships can be changed here.
        "groups": user_group_list(tenant=request.tenant, user=person),
        "can_manage_groups": live and has_perm(request, Perm.GROUPS_WRITE),
    })

"""Delete users (one or several, after a confirmation that says what is lost) and restore them from the
Deleted users tab (one at a time with the conflict choices, or several at once as a Job)."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from billing.models import Sku
from tenantadmin.access import require_perm, tenant_object_or_404
from tenantadmin.actors import Actor
from tenantadmin.roles import Perm
from users.lifecycle_services import (
    delete_refusal, restore_plan, user_delete, user_restore, users_delete, users_restore_start,
)
from users.licenses import NoFreeLicenses
from users.models import User
from users.restore_forms import RENAME, REPLACE, RestoreForm
from users.selectors import PURGE_AFTER

# The confirmation page lists at most this many names; the rest are counted.
CONFIRM_LIST_MAX = 50
# A bulk delete acts on the selection of one list page; more is refused rather than silently cut.
BULK_MAX = 500


def _ids(values) -> list[uuid.UUID]:
    ids = []
    for value in values:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue  # a mangled checkbox value selects nobody
    return ids


def _live_user(request, user_id) -> User:
    return tenant_object_or_404(User.objects.select_related("tenant"), request.tenant, pk=user_id,
                                deleted_at__isnull=True)


@require_perm(Perm.USERS_WRITE)
def user_delete_view(request, user_id):
    """Confirm, then delete one user."""
    person = _live_user(request, user_id)
    actor = Actor.from_request(request)
    if request.method == "POST" and request.POST.get("confirm") == "1":
        try:
            user_delete(user=person, actor=actor)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("users:detail", user_id=person.pk)
        messages.success(request, _("%(name)s was deleted. You can restore the account from Deleted users for "
                                    "%(days)d days.") % {"name": person.display_name, "days": PURGE_AFTER.days})
        return redirect(f"{reverse('users:list')}?view=deleted")
    return render(request, "users/restore/delete_confirm.html", {
        "rows": _rows(actor, [person]), "name": person.display_name, "count": 1, "ids": [person.pk],
        "licenses": list(person.licenses.select_related("sku").order_by("sku__name")), "days": PURGE_AFTER.days,
        "cancel_url": reverse("users:detail", args=[person.pk]),
    })


def _rows(actor, people) -> list[tuple]:
    """(person, why they cannot be deleted or "") for the confirmation page."""
    return [(person, delete_refusal(actor=actor, user=person) or "") for person in people]


@require_perm(Perm.USERS_WRITE)
def users_delete_view(request):
    """The Users page's bulk Delete: POSTed ids → confirmation page; confirmed → delete each one allowed."""
    if request.method != "POST":
        messages.info(request, _("Select the users to delete on the Users page first."))
        return redirect("users:list")
    ids = _ids(request.POST.getlist("ids"))[:BULK_MAX]
    people = list(User.objects.filter(tenant=request.tenant, pk__in=ids, deleted_at__isnull=True)
                  .prefetch_related("role_assignments").order_by("display_name", "pk"))
    if not people:
        messages.warning(request, _("Select the users first."))
        return redirect("users:list")
    for person in people:  # the delete rules ask who is an administrator: answered from the prefetch, not per row
        person.__dict__["role_codes"] = frozenset(held.role for held in person.role_assignments.all())
    actor = Actor.from_request(request)
    if request.POST.get("confirm") == "1":
        deleted, refused = users_delete(tenant=request.tenant, actor=actor, user_ids=[p.pk for p in people])
        if deleted:
            messages.success(request, ngettext(
                "%(count)d user was deleted; restore from Deleted users within %(days)d days.",
                "%(count)d users were deleted; restore from Deleted users within %(days)d days.",
                len(deleted)) % {"count": len(deleted), "days": PURGE_AFTER.days})
        for person, reason in refused:
            messages.warning(request, _("Not deleted: %(reason)s") % {"reason": reason})
        return redirect(f"{reverse('users:list')}?view=deleted" if deleted else reverse("users:list"))
    return render(request, "users/restore/delete_confirm.html", {
        "rows": _rows(actor, people[:CONFIRM_LIST_MAX]), "count": len(people),
        "more": max(0, len(people) - CONFIRM_LIST_MAX), "ids": [p.pk for p in people], "days": PURGE_AFTER.days,
        "bulk": True, "cancel_url": reverse("users:list"),
    })


@never_cache  # the answer shows a temporary password once
@require_perm(Perm.USERS_WRITE)
def user_restore_view(request, user_id):
    """Restore one deleted user, resolving a user name or e-mail address conflict; shows the new password once."""
    person = tenant_object_or_404(User.objects.select_related("tenant"), request.tenant, pk=user_id)
    if person.deleted_at is None:
        messages.info(request, _("%(name)s is not deleted.") % {"name": person.display_name})
        return redirect("users:detail", user_id=person.pk)
    plan = restore_plan(user=person)
    domains = list(request.tenant.domains.filter(verified_at__isnull=False).order_by("name")
                   .values_list("name", flat=True))
    form = RestoreForm(request.POST if request.method == "POST" else None, plan=plan, domains=domains)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rename = data["name_choice"] == RENAME
        chosen = list(Sku.objects.filter(pk__in=data["licenses"]).order_by("name"))
        try:
            person, password = user_restore(
                user=person, actor=Actor.from_request(request), new_alias=data["new_alias"] if rename else "",
                new_domain=data["new_domain"] if rename else "", replace_live=data["name_choice"] == REPLACE,
                drop_proxy_conflicts=data["drop_proxy_conflicts"], licenses=chosen)
        except NoFreeLicenses as error:
            form.add_error("licenses", error.messages[0])
        except ValidationError as error:
            if getattr(error, "code", None) == "proxy_conflict":
                form.add_error("drop_proxy_conflicts", error.messages)
            elif hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            return render(request, "users/restore/restored.html", {
                "person": person, "password": password, "licenses": [sku.name for sku in chosen],
                "dropped": plan.proxy_conflicts})
    return render(request, "users/restore/restore.html", {
        "person": person, "plan": plan, "form": form, "days": PURGE_AFTER.days})


@require_POST
@require_perm(Perm.USERS_WRITE)
def users_restore_view(request):
    """The Deleted users tab's bulk Restore: one user goes to the restore page, several become a Job."""
    ids = _ids(request.POST.getlist("ids"))[:BULK_MAX]
    if len(ids) == 1:
        return redirect("users:restore", user_id=ids[0])
    try:
        job = users_restore_start(tenant=request.tenant, actor=Actor.from_request(request), user_ids=ids)
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
        return HttpResponseRedirect(f"{reverse('users:list')}?view=deleted")
    messages.info(request, _("Restoring %(count)d users. Users who need a choice (a conflict or too few free "
                             "licenses) are listed in the log; restore them one at a time.") % {
        "count": len(job.params["user_ids"])})
    return redirect("tenantadmin:job_detail", job_id=job.pk)

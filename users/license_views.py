"""The Licenses page (Subscriptions > Licenses): units per plan, license conflicts with their three
resolutions (SPEC users/ "Licenses"), and the holders of a plan with a bulk "remove license" action."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_POST

from billing.models import Sku, Subscription
from tenantadmin.access import has_perm, require_perm
from tenantadmin.actors import Actor
from tenantadmin.paging import CursorError, keyset_page
from tenantadmin.roles import Perm
from users.licenses import license_units, licenses_remove_from_users
from users.models import LicenseAssignment, RoleAssignment, User

PAGE_SIZE = 50


@require_perm(Perm.LICENSES_READ)
def licenses_page(request):
    """Every plan the organization has units or licenses of: total, assigned, free, with its services."""
    rows = []
    for units in license_units(tenant=request.tenant):
        share = 100 if units.total == 0 and units.assigned else (
            min(100, round(100 * units.assigned / units.total)) if units.total else 0)
        rows.append({"units": units, "share": share, "plans": [
            plan.get("displayName") or plan.get("servicePlanName", "") for plan in units.sku.service_plans]})
    return render(request, "users/licenses/licenses.html", {
        "rows": rows, "conflicts": [row for row in rows if row["units"].in_conflict],
        "can_buy": has_perm(request, Perm.BILLING_WRITE), "can_write": has_perm(request, Perm.LICENSES_WRITE),
    })


def _plan(request, sku_id) -> Sku:
    """A plan of this organization: it has a subscription of it or licenses from it. Plans are shared by every
    organization, so another plan is "not found" here, as another organization's object would be."""
    sku = Sku.objects.filter(pk=sku_id, applies_to=Sku.AppliesTo.USER).filter(  # an add-on is nobody's license
        Exists(Subscription.objects.filter(tenant=request.tenant, sku_id=OuterRef("pk")))
        | Exists(LicenseAssignment.objects.filter(tenant=request.tenant, sku_id=OuterRef("pk")))).first()
    if sku is None:
        raise Http404(_("The item was not found."))
    return sku


def _holders(tenant, sku):
    return (User.objects.filter(tenant=tenant, deleted_at__isnull=True)
            .filter(Exists(LicenseAssignment.objects.filter(user_id=OuterRef("pk"), sku=sku)))
            .annotate(holds_role=Exists(RoleAssignment.objects.filter(user_id=OuterRef("pk"))))
            .order_by("display_name", "pk"))


@require_perm(Perm.LICENSES_READ)
def license_plan(request, sku_id):
    """The users holding a plan, a keyset page at a time (the same queries for 3 holders or 300,000)."""
    sku = _plan(request, sku_id)
    units = next((u for u in license_units(tenant=request.tenant) if u.sku.pk == sku.pk), None)
    salt = f"users.license_plan:{sku.pk}"
    cursor = request.GET.get("after")
    try:
        page = keyset_page(_holders(request.tenant, sku), order=[("display_name", False)], size=PAGE_SIZE,
                           cursor=cursor, salt=salt)
    except CursorError:
        messages.warning(request, _("That page link is no longer valid; showing the first page."))
        cursor = None
        page = keyset_page(_holders(request.tenant, sku), order=[("display_name", False)], size=PAGE_SIZE,
                           cursor=None, salt=salt)
    return render(request, "users/licenses/plan.html", {
        "sku": sku, "units": units, "page": page, "is_first_page": not cursor, "filter_query": "",
        "can_write": has_perm(request, Perm.LICENSES_WRITE), "can_delete": has_perm(request, Perm.USERS_WRITE),
        "can_buy": has_perm(request, Perm.BILLING_WRITE), "next_url": request.get_full_path(),
        "plans": [plan.get("displayName") or plan.get("servicePlanName", "") for plan in sku.service_plans],
    })


@require_POST
@require_perm(Perm.LICENSES_WRITE)
def license_remove(request, sku_id):
    """Take the plan away from the selected holders, once the administrator confirms the data loss."""
    sku = _plan(request, sku_id)
    ids = []
    for value in request.POST.getlist("ids"):
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    if not ids:
        messages.warning(request, _("Select the users first."))
        return redirect("users:license_plan", sku_id=sku.pk)
    if request.POST.get("confirm_data_loss") != "1":
        messages.error(request, _("Tick the box to confirm that these users' data in the plan's services will be "
                                  "deleted."))
        return redirect("users:license_plan", sku_id=sku.pk)
    # SPEC role table: only a global administrator changes an administrator's account.
    allowed = User.objects.filter(tenant=request.tenant, pk__in=ids, deleted_at__isnull=True)
    if not request.user.is_global_admin:
        allowed = allowed.exclude(Exists(RoleAssignment.objects.filter(user_id=OuterRef("pk"))))
    allowed_ids = list(allowed.values_list("pk", flat=True))
    skipped = len(set(ids)) - len(allowed_ids)
    try:
        removed = licenses_remove_from_users(tenant=request.tenant, sku=sku, user_ids=allowed_ids,
                                             actor=Actor.from_request(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("users:license_plan", sku_id=sku.pk)
    messages.success(request, ngettext("%(plan)s was removed from %(count)d user.",
                                       "%(plan)s was removed from %(count)d users.", removed)
                     % {"plan": sku.name, "count": removed})
    if skipped:
        messages.warning(request, ngettext(
            "%(count)d selected user was skipped: administrators' licenses can only be changed by a global "
            "administrator.", "%(count)d selected users were skipped: administrators' licenses can only be changed "
            "by a global administrator.", skipped) % {"count": skipped})
    return redirect("users:license_plan", sku_id=sku.pk)

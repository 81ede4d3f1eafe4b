"""Editing one user: tabs Details, Settings (roles, sign-in, location), Licenses and More (e-mail addresses).

SPEC role table: a user management administrator edits only people without an administrator role (others are a
403), and only a global administrator gives or takes roles.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy as _lazy

from billing.models import Sku
from tenantadmin.access import require_perm, tenant_object_or_404
from tenantadmin.actors import Actor
from tenantadmin.forms import apply_service_errors
from tenantadmin.roles import Perm
from users.create_views import verified_domains
from users.edit_forms import EditDetailsForm, EditLicensesForm, EditSettingsForm, ProxyAddForm
from users.licenses import license_units
from users.models import User
from users.services import (
    DETAIL_FIELDS, can_assign_roles, can_manage, proxy_add, proxy_list, proxy_remove, proxy_set_primary, roles_set,
    user_licenses_set, user_update,
)

TABS = [("details", _lazy("Details")), ("settings", _lazy("Settings")), ("licenses", _lazy("Licenses")),
        ("more", _lazy("More"))]


def _person(request, user_id) -> tuple[User, Actor]:
    """A live user of this organization that the viewer may change (403 for an administrator's account unless
    the viewer is a global administrator)."""
    person = tenant_object_or_404(User.objects.select_related("tenant").filter(deleted_at__isnull=True),
                                  request.tenant, pk=user_id)
    actor = Actor.from_request(request)
    if not can_manage(actor, person):
        raise PermissionDenied(_("Only a global administrator can change an administrator's account."))
    return person, actor


def _render(request, person, tab: str, context: dict):
    return render(request, f"users/edit/{tab}.html", {"person": person, "tab": tab, "tabs": TABS, **context})


@require_perm(Perm.USERS_WRITE)
def edit_details(request, user_id):
    person, actor = _person(request, user_id)
    form = EditDetailsForm(request.POST if request.method == "POST" else None, person=person, domains=verified_domains(request.tenant))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {name: data[name] for name in ("display_name", *DETAIL_FIELDS)}
        try:
            changes = user_update(user=person, actor=actor, alias=data["alias"], domain=data["domain"], **values)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if changes:
                messages.success(request, _("The details of %(name)s were saved.") % {"name": data["display_name"]})
            return redirect("users:edit_details", person.pk)
    return _render(request, person, "details", {"form": form})


@require_perm(Perm.USERS_WRITE)
def edit_settings(request, user_id):
    person, actor = _person(request, user_id)
    may_assign = can_assign_roles(actor)
    form = EditSettingsForm(request.POST if request.method == "POST" else None, person=person, may_assign_roles=may_assign)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {"is_active": data["is_active"], "usage_location": data["usage_location"],
                  "alternate_email": data["alternate_email"]}
        try:
            with transaction.atomic():  # roles and settings together, or neither
                if data["alternate_email"] or not may_assign:
                    user_update(user=person, actor=actor, **values)
                    if may_assign:
                        roles_set(user=person, roles=data["roles"], actor=actor)
                else:  # taking the roles first lets an ex-administrator's alternate address be cleared
                    roles_set(user=person, roles=data["roles"], actor=actor)
                    user_update(user=person, actor=actor, **values)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The settings of %(name)s were saved.") % {"name": person.display_name})
            return redirect("users:edit_settings", person.pk)
    return _render(request, person, "settings", {"form": form})


def _service_names(skus) -> list[str]:
    return sorted({plan.get("displayName") or plan.get("servicePlanName", "") for sku in skus for plan in sku.service_plans})


@require_perm(Perm.USERS_WRITE, Perm.LICENSES_WRITE)
def edit_licenses(request, user_id):
    """Assign and remove licenses; removing asks for confirmation first, naming the services whose data goes."""
    person, actor = _person(request, user_id)
    held_ids = set(person.licenses.values_list("sku_id", flat=True))
    form = EditLicensesForm(request.POST if request.method == "POST" else None, person=person, units=license_units(tenant=request.tenant),
                            held_ids=held_ids)
    if request.method == "POST" and form.is_valid():
        add_ids, remove_ids = form.changes()
        add, remove = list(Sku.objects.filter(pk__in=add_ids)), list(Sku.objects.filter(pk__in=remove_ids))
        if remove and request.POST.get("confirm") != "1":
            return _render(request, person, "licenses_confirm", {
                "form": form, "add": add, "remove": remove, "services": _service_names(remove),
                "chosen": form.cleaned_data["skus"]})
        try:
            user_licenses_set(user=person, actor=actor, add=add, remove=remove)
        except ValidationError as error:
            if hasattr(error, "error_dict") and "licenses" in error.error_dict:
                error = ValidationError({"skus": error.error_dict["licenses"]})
            apply_service_errors(form, error)
        else:
            if add or remove:
                messages.success(request, _("The licenses of %(name)s were saved.") % {"name": person.display_name})
            return redirect("users:edit_licenses", person.pk)
    return _render(request, person, "licenses", {"form": form, "location": person.usage_location})


@require_perm(Perm.USERS_WRITE)
def edit_more(request, user_id):
    """E-mail addresses: add one, remove one, or make one primary (the action and address id come in the form)."""
    person, actor = _person(request, user_id)
    form = ProxyAddForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                form = ProxyAddForm(request.POST)
                if form.is_valid():
                    proxy_add(user=person, actor=actor, address=form.cleaned_data["address"])
                    messages.success(request, _("The address was added."))
                    return redirect("users:edit_more", person.pk)
            elif action in ("remove", "primary"):
                proxy_id = request.POST.get("proxy_id", "")
                if not proxy_id.isdigit():
                    raise ValidationError({"address": [_("Choose an address.")]})
                if action == "remove":
                    proxy_remove(user=person, actor=actor, proxy_id=int(proxy_id))
                    messages.success(request, _("The address was removed."))
                else:
                    proxy_set_primary(user=person, actor=actor, proxy_id=int(proxy_id))
                    messages.success(request, _("The primary address was changed."))
                return redirect("users:edit_more", person.pk)
        except ValidationError as error:
            if action == "add":
                apply_service_errors(form, error)
            else:
                messages.error(request, " ".join(error.messages))
    return _render(request, person, "more", {"form": form, "proxies": proxy_list(person)})

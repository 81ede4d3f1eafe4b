"""Custom views of the Users page: list, create, edit, delete (SPEC users/ "User views": up to 50 per
organization, shared by all administrators)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tenantadmin.access import has_perm, require_perm, tenant_object_or_404
from tenantadmin.actors import Actor
from tenantadmin.forms import apply_service_errors
from tenantadmin.roles import Perm
from users.custom_view_forms import CustomViewForm
from users.custom_view_services import (
    MAX_CUSTOM_VIEWS, custom_view_create, custom_view_delete, custom_view_update, limit_message,
)
from users.group_selectors import group_choices
from users.models import CustomView
from users.selectors import custom_view_list, license_filter_choices
from users.views_catalog import filter_descriptions


def _view(request, view_id) -> CustomView:
    return tenant_object_or_404(CustomView.objects.select_related("tenant"), request.tenant, pk=view_id)


def _form(request, **kwargs) -> CustomViewForm:
    tenant = request.tenant
    return CustomViewForm(
        request.POST or None, skus=license_filter_choices(tenant=tenant),
        domains=list(tenant.domains.order_by("name").values_list("name", flat=True)),
        groups=group_choices(tenant=tenant), **kwargs)


def _users_page(view: CustomView) -> str:
    return f"{reverse('users:list')}?{urlencode({'view': str(view.pk)})}"


@require_perm(Perm.USERS_READ)
def custom_views_page(request):
    views = custom_view_list(tenant=request.tenant)
    descriptions = filter_descriptions(tenant=request.tenant, views=views)
    rows = [{"view": view, "filters": descriptions[view.pk], "users_url": _users_page(view)} for view in views]
    return render(request, "users/custom_views/list.html", {
        "rows": rows, "count": len(views), "limit": MAX_CUSTOM_VIEWS, "at_limit": len(views) >= MAX_CUSTOM_VIEWS,
        "can_write": has_perm(request, Perm.USERS_WRITE),
    })


@require_perm(Perm.USERS_WRITE)
def custom_view_create_page(request):
    form = _form(request)
    if request.method == "GET" and CustomView.objects.filter(tenant=request.tenant).count() >= MAX_CUSTOM_VIEWS:
        # Said up front so nobody fills in the form for nothing; the service refuses the 51st view either way.
        messages.warning(request, limit_message())
    if request.method == "POST" and form.is_valid():
        try:
            view = custom_view_create(tenant=request.tenant, actor=Actor.from_request(request),
                                      name=form.cleaned_data["name"], filters=form.filters())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The view %(name)s was saved; every administrator can now pick it.")
                             % {"name": view.name})
            return redirect(_users_page(view))
    return render(request, "users/custom_views/form.html", {"form": form, "view": None})


@require_perm(Perm.USERS_WRITE)
def custom_view_edit_page(request, view_id):
    view = _view(request, view_id)
    form = _form(request, initial=CustomViewForm.initial_for(view))
    if request.method == "POST" and form.is_valid():
        try:
            custom_view_update(view=view, actor=Actor.from_request(request), name=form.cleaned_data["name"],
                               filters=form.filters())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The view %(name)s was saved.") % {"name": view.name})
            return redirect(_users_page(view))
    return render(request, "users/custom_views/form.html", {"form": form, "view": view})


@require_perm(Perm.USERS_WRITE)
def custom_view_delete_page(request, view_id):
    view = _view(request, view_id)
    if request.method == "POST":
        custom_view_delete(view=view, actor=Actor.from_request(request))
        messages.success(request, _("The view %(name)s was deleted.") % {"name": view.name})
        return redirect("users:custom_views")
    return render(request, "users/custom_views/delete.html", {
        "view": view, "filters": filter_descriptions(tenant=request.tenant, views=[view])[view.pk]})

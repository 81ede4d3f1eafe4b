"""App registrations: programs that call the API with client credentials, and apps through which people sign in."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenantadmin.access import get_app_registration, require_perm, tenant_object_or_404
from tenantadmin.actors import Actor
from tenantadmin.forms import AppRegistrationForm, AppSecretForm, apply_service_errors
from tenantadmin.models import AppSecret
from tenantadmin.roles import Perm
from tenantadmin.selectors import app_registration_list
from tenantadmin.services.app_registrations import (
    app_registration_create, app_registration_delete, app_registration_update, app_secret_create, app_secret_revoke,
)


@require_perm(Perm.APPS_MANAGE)
def app_list(request):
    apps = app_registration_list(tenant=request.tenant)
    return render(request, "tenantadmin/apps/list.html", {"apps": apps})


@require_perm(Perm.APPS_MANAGE)
def app_create(request):
    form = AppRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            app = app_registration_create(tenant=request.tenant, actor=Actor.from_request(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The app %(name)s was registered. Create a secret so it can sign in.")
                             % {"name": app.display_name})
            return redirect("tenantadmin:app_detail", app.pk)
    return render(request, "tenantadmin/apps/form.html", {"form": form})


@require_perm(Perm.APPS_MANAGE)
def app_detail(request, app_id):
    app = get_app_registration(request, app_id)
    form = AppRegistrationForm(request.POST or None, initial={
        "display_name": app.display_name, "permissions": app.permissions,
        "public_client_enabled": app.public_client_enabled})
    if request.method == "POST" and form.is_valid():
        try:
            app_registration_update(app=app, actor=Actor.from_request(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The app was saved."))
            return redirect("tenantadmin:app_detail", app.pk)
    secrets = app.secrets.filter(tenant=request.tenant).order_by("-created_at")
    # A secret just created is shown once: it travels in the session and is removed as it is read.
    new_secret = request.session.pop(f"new-secret-{app.pk}", None)
    return render(request, "tenantadmin/apps/detail.html", {
        "app": app, "form": form, "secrets": secrets, "secret_form": AppSecretForm(), "new_secret": new_secret,
    })


@require_POST
@require_perm(Perm.APPS_MANAGE)
def secret_create(request, app_id):
    app = get_app_registration(request, app_id, write=True)
    form = AppSecretForm(request.POST)
    if form.is_valid():
        try:
            secret, plain = app_secret_create(app=app, actor=Actor.from_request(request), **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            request.session[f"new-secret-{app.pk}"] = {"value": plain, "id": str(secret.pk)}
    else:
        messages.error(request, _("The secret was not created: check the expiry and description."))
    return redirect("tenantadmin:app_detail", app.pk)


@require_POST
@require_perm(Perm.APPS_MANAGE)
def secret_revoke(request, app_id, secret_id):
    app = get_app_registration(request, app_id, write=True)
    secret = tenant_object_or_404(AppSecret.objects.select_related("app__tenant"), request.tenant, pk=secret_id, app=app)
    app_secret_revoke(secret=secret, actor=Actor.from_request(request))
    messages.success(request, _("The secret %(hint)s… was revoked. Programs using it can no longer sign in.")
                     % {"hint": secret.hint})
    return redirect("tenantadmin:app_detail", app.pk)


@require_perm(Perm.APPS_MANAGE)
def app_delete(request, app_id):
    app = get_app_registration(request, app_id, write=True)
    if request.method == "POST":
        app_registration_delete(app=app, actor=Actor.from_request(request))
        messages.success(request, _("The app %(name)s was deleted.") % {"name": app.display_name})
        return redirect("tenantadmin:apps")
    # Expired secrets no longer work, so they are not "lost" by deleting the app.
    active = app.secrets.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).count()
    return render(request, "tenantadmin/apps/delete.html", {"app": app, "active_secrets": active})

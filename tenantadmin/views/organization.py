"""Organization profile and service settings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tenantadmin.access import has_perm, require_perm
from tenantadmin.actors import Actor
from tenantadmin.forms import OrganizationProfileForm, ServiceSettingsForm, apply_service_errors
from tenantadmin.models import ServiceSettings
from tenantadmin.roles import Perm
from tenantadmin.services.organization import organization_update, service_settings_update


@require_perm(Perm.ORG_READ)
def organization_profile(request):
    tenant = request.tenant
    verified = list(tenant.domains.filter(verified_at__isnull=False).values_list("name", flat=True))
    return render(request, "tenantadmin/organization.html", {
        "org": tenant, "verified_domains": verified, "can_edit": has_perm(request, Perm.ORG_WRITE)})


@require_perm(Perm.ORG_WRITE)
def organization_edit(request):
    tenant = request.tenant
    verified = list(tenant.domains.filter(verified_at__isnull=False).order_by("-is_initial", "name")
                    .values_list("name", flat=True))
    # Bind to a copy so a failed save does not leave the request's tenant half-edited.
    form = OrganizationProfileForm(request.POST or None, instance=type(tenant).objects.get(pk=tenant.pk),
                                   verified_domains=verified)
    if request.method == "POST" and form.is_valid():
        try:
            organization_update(tenant=tenant, actor=Actor.from_request(request),
                                **{name: form.cleaned_data[name] for name in form.Meta.fields})
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The organization profile was saved."))
            return redirect("tenantadmin:organization")
    return render(request, "tenantadmin/organization_edit.html", {"form": form, "org": tenant})


@require_perm(Perm.SERVICE_SETTINGS_WRITE)
def service_settings(request):
    form = ServiceSettingsForm(request.POST or None, instance=ServiceSettings.objects.get(tenant=request.tenant))
    if request.method == "POST" and form.is_valid():
        try:
            service_settings_update(tenant=request.tenant, actor=Actor.from_request(request),
                                    **{name: form.cleaned_data[name] for name in form.Meta.fields})
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Service settings were saved. Changes can take up to an hour to reach every device."))
            return redirect("tenantadmin:service_settings")
    return render(request, "tenantadmin/service_settings.html", {"form": form})

"""The one way views reach tenant-owned objects and check roles (DESIGN "Rules that keep tenants apart").

- Another tenant's object is a 404 with the same message as a missing one, never a 403.
- A role that may read but not write gets a 403.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from tenantadmin.models import AppRegistration, Job
from tenantadmin.roles import Perm


def has_perm(request, perm: Perm) -> bool:
    user = request.user
    return user.is_authenticated and request.tenant is not None and perm in user.admin_perms


def require_perm(*perms: Perm):
    """View decorator: a signed-in member of an organization holding every one of `perms`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.tenant is None:
                raise PermissionDenied(_("Support staff work in the staff site, not in an organization's admin center."))
            missing = [p for p in perms if p not in request.user.admin_perms]
            if missing:
                raise PermissionDenied(_("Your role does not allow this."))
            return view(request, *args, **kwargs)

        wrapper.required_perms = perms
        return wrapper

    return decorator


# Any signed-in member of an organization (My profile and the like): no administrator role needed.
require_member = require_perm()


def tenant_object_or_404(queryset, tenant, **lookup):
    """The object matching `lookup` inside `tenant`, or a 404 that does not say whether it exists elsewhere."""
    obj = queryset.filter(tenant=tenant, **lookup).first()
    if obj is None:
        raise Http404(_("The item was not found."))
    return obj


def _check_write(request, write: bool, perm: Perm):
    if write and not has_perm(request, perm):
        raise PermissionDenied(_("Your role does not allow this."))


def get_job_for_viewer(request, job_id) -> Job:
    """A job of the viewer's organization that the viewer started, or any job for a global admin."""
    job = tenant_object_or_404(Job.objects.select_related("created_by"), request.tenant, pk=job_id)
    if job.created_by_id != request.user.pk and not request.user.is_global_admin:
        raise Http404(_("The item was not found."))
    return job


def get_app_registration(request, app_id, write: bool = False) -> AppRegistration:
    """An app registration of the viewer's organization."""
    app = tenant_object_or_404(AppRegistration.objects.all(), request.tenant, pk=app_id)
    _check_write(request, write, Perm.APPS_MANAGE)
    return app

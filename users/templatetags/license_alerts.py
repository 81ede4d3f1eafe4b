"""{% license_conflict_alert %}: the license-conflict banner of the Users page and the admin overview.

A template tag rather than view code, so the overview (core, which imports no app) can show it too."""

from django import template

from tenantadmin.roles import Perm
from users.licenses import cached_license_conflicts

register = template.Library()


@register.inclusion_tag("users/licenses/_conflict_alert.html", takes_context=True)
def license_conflict_alert(context):
    """The plans in conflict for viewers who may see users or licenses; cached per organization (see cached_license_conflicts)."""
    request = context.get("request")
    tenant = getattr(request, "tenant", None)
    if tenant is None or not request.user.is_authenticated:
        return {"conflicts": []}
    perms = request.user.admin_perms
    if Perm.LICENSES_READ not in perms and Perm.USERS_READ not in perms:
        return {"conflicts": []}
    return {"conflicts": cached_license_conflicts(tenant=tenant), "can_open": Perm.LICENSES_READ in perms}

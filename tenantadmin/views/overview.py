"""Home redirect and the admin overview."""

from datetime import timedelta

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from tenantadmin.access import has_perm, require_perm
from tenantadmin.models import AuditEvent
from tenantadmin.roles import Perm
from tenantadmin.selectors import organization_counts


def home(request):
    """Signed-in people go to their landing page; everyone else to sign-in."""
    if not request.user.is_authenticated:
        return redirect("users:signin")
    if request.tenant is None:
        return redirect("admin:index")
    if Perm.ADMIN_CENTER in request.user.admin_perms:
        return redirect("tenantadmin:overview")
    return redirect("users:profile")


@require_perm(Perm.ADMIN_CENTER)
def overview(request):
    tenant = request.tenant
    quick_start_until = tenant.created_at + timedelta(days=settings.QUICK_START_DAYS)
    recent = []
    if has_perm(request, Perm.AUDIT_READ):
        recent = list(AuditEvent.objects.filter(tenant=tenant).order_by("-occurred_at", "-id")[:6])
    return render(request, "tenantadmin/overview.html", {
        "counts": organization_counts(tenant=tenant),
        "show_quick_start": timezone.now() < quick_start_until,
        "quick_start_until": quick_start_until,
        "recent_events": recent,
        "audit_url": reverse("tenantadmin:audit_log"),
    })

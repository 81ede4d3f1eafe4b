"""Support > Service health and Planned maintenance (SPEC support/ "Service health"). Administrators with
Perm.SERVICE_HEALTH; what an organization sees is limited to the services it subscribes to."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from support.health_feed import feed_path, feed_regenerate
from support.health_selectors import (
    DEGRADATION, INFORMATION, INTERRUPTION, NORMAL, RESTORED, health_grid, maintenance_for, viewer_zone,
)
from tenantadmin.access import require_perm
from tenantadmin.actors import Actor
from tenantadmin.roles import Perm


def _legend():
    return [
        (NORMAL, "check-circle-fill text-success", _("Normal service")),
        (DEGRADATION, "exclamation-triangle-fill text-warning", _("Service degradation")),
        (INTERRUPTION, "x-octagon-fill text-danger", _("Service interruption")),
        (INFORMATION, "info-circle-fill text-primary", _("Additional information")),
        (RESTORED, "check-circle text-success", _("Normal service restored")),
    ]


@require_perm(Perm.SERVICE_HEALTH)
def service_health(request):
    zone = viewer_zone(request.user)
    grid = health_grid(tenant=request.tenant, now=timezone.now(), zone=zone)
    legend = _legend()
    icons = {key: (icon, label) for key, icon, label in legend}
    for row in grid["rows"]:
        for component in row["components"]:
            for cell in component["cells"]:
                cell.icon, cell.label = icons[cell.state]
    return render(request, "support/health/service_health.html", {
        **grid, "legend": legend, "zone": zone, "zone_name": str(zone.key),
        "feed_url": request.build_absolute_uri(feed_path(tenant=request.tenant)),
    })


@require_perm(Perm.SERVICE_HEALTH)
def planned_maintenance(request):
    zone = viewer_zone(request.user)
    windows = maintenance_for(tenant=request.tenant, now=timezone.now())
    return render(request, "support/health/maintenance.html", {
        **windows, "windows": windows["upcoming"] + windows["past"], "zone": zone, "zone_name": str(zone.key),
    })


@require_perm(Perm.SERVICE_HEALTH)
def health_feed_regenerate(request):
    """Confirm, then give the RSS feed a new secret address (the old one stops working)."""
    if request.method == "POST":
        feed_regenerate(tenant=request.tenant, actor=Actor.from_request(request))
        messages.success(request, _("The feed has a new address. Update it in your feed reader; the old one no longer works."))
        return redirect(reverse("support:health") + "#health-feed")
    return render(request, "support/health/feed_regenerate.html", {})

from django.urls import path

from billing.partner_views import support_overview
from tenantadmin.placeholders import placeholder
from tenantadmin.roles import Perm

app_name = "support"

urlpatterns = [
    # The overview links to the delegated administrators (billing owns partners; SPEC support/ "Support overview").
    path("admin/support/", support_overview, name="overview"),
    path("admin/support/requests/", placeholder("service_requests", Perm.SUPPORT), name="requests"),
    path("admin/support/health/", placeholder("service_health", Perm.SERVICE_HEALTH), name="health"),
    path("admin/support/maintenance/", placeholder("maintenance", Perm.SERVICE_HEALTH), name="maintenance"),
]

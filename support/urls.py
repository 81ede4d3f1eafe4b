from django.urls import path

from tenantadmin.placeholders import placeholder
from tenantadmin.roles import Perm

app_name = "support"

urlpatterns = [
    path("admin/support/", placeholder("support", Perm.SUPPORT), name="overview"),
    path("admin/support/requests/", placeholder("service_requests", Perm.SUPPORT), name="requests"),
    path("admin/support/health/", placeholder("service_health", Perm.SERVICE_HEALTH), name="health"),
    path("admin/support/maintenance/", placeholder("maintenance", Perm.SERVICE_HEALTH), name="maintenance"),
]

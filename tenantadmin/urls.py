"""Root URLs: the staff site, the portal of each app, then the API (whose fallback must come last)."""

from django.contrib import admin
from django.urls import include, path

from tenantadmin.views.overview import home

urlpatterns = [
    path("staff/", admin.site.urls),
    path("captcha/", include("captcha.urls")),
    path("", home, name="home"),
    path("", include("tenantadmin.portal_urls")),
    path("", include("users.urls")),
    path("", include("domains.urls")),
    path("", include("billing.urls")),
    path("", include("billing.partner_urls")),
    path("", include("support.urls")),
    path("", include("lync.urls")),
    path("", include("tenantadmin.api.urls")),
]

from django.urls import path

from billing.partner_views import support_overview
from support import health_views, request_views
from support.health_feed import health_feed

app_name = "support"

urlpatterns = [
    # The overview links to the delegated administrators (billing owns partners; SPEC support/ "Support overview").
    path("admin/support/", support_overview, name="overview"),
    path("admin/support/requests/", request_views.requests_list, name="requests"),
    path("admin/support/requests/new/", request_views.request_new, name="request_new"),
    path("admin/support/requests/<int:request_id>/", request_views.request_detail, name="request"),
    path("admin/support/requests/<int:request_id>/close/", request_views.request_close, name="request_close"),
    path("admin/support/requests/<int:request_id>/files/<int:attachment_id>/", request_views.attachment_download,
         name="request_attachment"),
    path("admin/support/health/", health_views.service_health, name="health"),
    path("admin/support/maintenance/", health_views.planned_maintenance, name="maintenance"),
    path("admin/support/health/feed/regenerate/", health_views.health_feed_regenerate, name="health_feed_regenerate"),
    # Public: feed readers cannot sign in; the signed token in the address is the key (support/health_feed.py).
    path("support/health/feed/<str:token>/", health_feed, name="health_feed"),
]

from django.urls import path

from domains import dns_views, removal_views, views

app_name = "domains"

# <domain_id> is the domain's name, as Graph uses it for the domain's id.
urlpatterns = [
    path("admin/domains/", views.domains, name="list"),
    path("admin/domains/add/", views.add, name="add"),
    path("admin/domains/help/", views.help_topic, name="help"),
    path("admin/domains/<str:domain_id>/", views.detail, name="detail"),
    path("admin/domains/<str:domain_id>/verify/", views.verify, name="verify"),
    path("admin/domains/<str:domain_id>/default/", views.set_default, name="set_default"),
    path("admin/domains/<str:domain_id>/remove/", removal_views.remove, name="remove"),
    path("admin/domains/<str:domain_id>/dns/", dns_views.dns_manager, name="dns"),
    path("admin/domains/<str:domain_id>/dns/mode/", dns_views.set_mode, name="dns_mode"),
    path("admin/domains/<str:domain_id>/dns/add/", dns_views.record_add, name="record_add"),
    path("admin/domains/<str:domain_id>/dns/<int:record_id>/edit/", dns_views.record_edit, name="record_edit"),
    path("admin/domains/<str:domain_id>/dns/<int:record_id>/delete/", dns_views.record_delete, name="record_delete"),
    path("admin/domains/<str:domain_id>/dns/zone.txt", dns_views.zone_export, name="zone_export"),
    path("admin/domains/<str:domain_id>/website/", dns_views.website, name="website"),
    path("admin/domains/<str:domain_id>/troubleshoot/", dns_views.troubleshoot, name="troubleshoot"),
    path("admin/domains/<str:domain_id>/troubleshoot/check/", dns_views.check_services, name="check_services"),
]

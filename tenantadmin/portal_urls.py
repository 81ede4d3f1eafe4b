"""URLs of the core admin pages (namespace "tenantadmin")."""

from django.urls import path

from tenantadmin.views import app_registrations, audit, jobs, organization, overview, unsubscribe

app_name = "tenantadmin"

urlpatterns = [
    path("admin/", overview.overview, name="overview"),
    path("admin/organization/", organization.organization_profile, name="organization"),
    path("admin/organization/edit/", organization.organization_edit, name="organization_edit"),
    path("admin/service-settings/", organization.service_settings, name="service_settings"),
    path("admin/audit/", audit.audit_log, name="audit_log"),
    path("admin/audit/export/", audit.audit_export, name="audit_export"),
    path("admin/jobs/", jobs.jobs, name="jobs"),
    path("admin/jobs/<uuid:job_id>/", jobs.job_detail, name="job_detail"),
    path("admin/jobs/<uuid:job_id>/progress/", jobs.job_progress, name="job_progress"),
    path("admin/jobs/<uuid:job_id>/download/", jobs.job_download, name="job_download"),
    path("admin/apps/", app_registrations.app_list, name="apps"),
    path("admin/apps/new/", app_registrations.app_create, name="app_create"),
    path("admin/apps/<uuid:app_id>/", app_registrations.app_detail, name="app_detail"),
    path("admin/apps/<uuid:app_id>/delete/", app_registrations.app_delete, name="app_delete"),
    path("admin/apps/<uuid:app_id>/secrets/new/", app_registrations.secret_create, name="secret_create"),
    path("admin/apps/<uuid:app_id>/secrets/<uuid:secret_id>/revoke/", app_registrations.secret_revoke,
         name="secret_revoke"),
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
]

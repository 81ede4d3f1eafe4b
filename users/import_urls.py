"""URLs of the bulk import wizard (namespace "users", included from users/urls.py)."""

from django.urls import path

from users import import_views as views

urlpatterns = [
    path("admin/users/import/", views.import_file, name="import"),
    path("admin/users/import/template.csv", views.import_template, name="import_template"),
    path("admin/users/import/sample.csv", views.import_sample, name="import_sample"),
    path("admin/users/import/<uuid:job_id>/", views.import_verify, name="import_verify"),
    path("admin/users/import/<uuid:job_id>/settings/", views.import_settings, name="import_settings"),
    path("admin/users/import/<uuid:job_id>/licenses/", views.import_licenses, name="import_licenses"),
    path("admin/users/import/<uuid:job_id>/send/", views.import_send, name="import_send"),
    path("admin/users/import/<uuid:job_id>/results/", views.import_results, name="import_results"),
    path("admin/users/import/<uuid:job_id>/passwords/", views.import_passwords, name="import_passwords"),
]

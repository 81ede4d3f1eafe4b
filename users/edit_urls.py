"""URLs for editing users, one or many (namespace "users", included from users/urls.py)."""

from django.urls import path

from users import bulk_edit_views, edit_views

urlpatterns = [
    path("admin/users/<uuid:user_id>/edit/", edit_views.edit_details, name="edit_details"),
    path("admin/users/<uuid:user_id>/edit/settings/", edit_views.edit_settings, name="edit_settings"),
    path("admin/users/<uuid:user_id>/edit/licenses/", edit_views.edit_licenses, name="edit_licenses"),
    path("admin/users/<uuid:user_id>/edit/more/", edit_views.edit_more, name="edit_more"),
    path("admin/users/bulk-edit/", bulk_edit_views.bulk_edit, name="bulk_edit"),
    path("admin/users/change-domain/", bulk_edit_views.change_domain, name="change_domain"),
    path("admin/users/bulk/<uuid:job_id>/", bulk_edit_views.bulk_results, name="bulk_results"),
]

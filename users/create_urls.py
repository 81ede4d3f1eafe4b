"""URLs of the create-user wizard (namespace "users", included from users/urls.py)."""

from django.urls import path

from users import create_views

urlpatterns = [
    path("admin/users/new/", create_views.create_start, name="create"),
    path("admin/users/new/details/", create_views.create_details, name="create_details"),
    path("admin/users/new/settings/", create_views.create_settings, name="create_settings"),
    path("admin/users/new/licenses/", create_views.create_licenses, name="create_licenses"),
    path("admin/users/new/send/", create_views.create_send, name="create_send"),
    path("admin/users/new/results/", create_views.create_results, name="create_results"),
]

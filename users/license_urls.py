"""URLs of the Licenses page (namespace "users", included from users/urls.py)."""

from django.urls import path

from users import license_views

urlpatterns = [
    path("admin/licenses/", license_views.licenses_page, name="licenses"),
    path("admin/licenses/<uuid:sku_id>/", license_views.license_plan, name="license_plan"),
    path("admin/licenses/<uuid:sku_id>/remove/", license_views.license_remove, name="license_remove"),
]

"""URLs of the custom view pages of the Users page (namespace "users", included from users/urls.py)."""

from django.urls import path

from users import custom_view_views

urlpatterns = [
    path("admin/users/views/", custom_view_views.custom_views_page, name="custom_views"),
    path("admin/users/views/new/", custom_view_views.custom_view_create_page, name="custom_view_create"),
    path("admin/users/views/<uuid:view_id>/edit/", custom_view_views.custom_view_edit_page, name="custom_view_edit"),
    path("admin/users/views/<uuid:view_id>/delete/", custom_view_views.custom_view_delete_page,
         name="custom_view_delete"),
]

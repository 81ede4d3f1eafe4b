"""URLs of deleting and restoring users (namespace "users", included from users/urls.py)."""

from django.urls import path

from users import restore_views

urlpatterns = [
    path("admin/users/delete/", restore_views.users_delete_view, name="bulk_delete"),
    path("admin/users/restore/", restore_views.users_restore_view, name="bulk_restore"),
    path("admin/users/<uuid:user_id>/delete/", restore_views.user_delete_view, name="delete"),
    path("admin/users/<uuid:user_id>/restore/", restore_views.user_restore_view, name="restore"),
]

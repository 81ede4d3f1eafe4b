"""URLs of the users app for password pages (namespace "users", included from users/urls.py)."""

from django.urls import path

from users import password_views

urlpatterns = [
    path("password/change/", password_views.password_change, name="password_change"),
    path("admin/password-policy/", password_views.password_policy, name="password_policy"),
    path("admin/sign-in-locks/", password_views.signin_locks, name="signin_locks"),
    path("admin/users/<uuid:user_id>/reset-password/", password_views.password_reset_admin,
         name="password_reset_admin"),
    path("admin/users/<uuid:user_id>/reset-password/done/", password_views.password_reset_admin_done,
         name="password_reset_admin_done"),
    path("admin/users/<uuid:user_id>/unlock/", password_views.signin_unlock, name="signin_unlock"),
]

"""URLs of the Users page and the user detail page (namespace "users", included from users/urls.py)."""

from django.urls import path

from users import user_views

urlpatterns = [
    path("admin/users/", user_views.users_page, name="list"),
    path("admin/users/export/", user_views.users_export, name="export"),
    path("admin/users/sign-in/", user_views.users_sign_in, name="bulk_sign_in"),
    path("admin/users/<uuid:user_id>/", user_views.user_detail, name="detail"),
]

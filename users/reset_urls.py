"""URLs of the users app for reset pages (namespace "users", included from users/urls.py)."""

from django.urls import path

from users import reset_views

urlpatterns = [
    path("password/forgot/", reset_views.password_forgot, name="password_forgot"),
    path("password/forgot/link/<str:token>/", reset_views.password_forgot_link, name="password_forgot_link"),
    path("password/forgot/code/", reset_views.password_forgot_code, name="password_forgot_code"),
    path("password/forgot/new/", reset_views.password_forgot_new, name="password_forgot_new"),
]

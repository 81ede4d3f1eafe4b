"""URLs of My profile (namespace "users", included from users/urls.py)."""

from django.urls import path

from users import profile_views

urlpatterns = [
    path("profile/", profile_views.profile, name="profile"),
]

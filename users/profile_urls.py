"""URLs of My profile (namespace "users", included from users/urls.py)."""

from django.urls import path

from users import profile_views

urlpatterns = [
    path("profile/", profile_views.profile, name="profile"),
    path("profile/details/", profile_views.profile_details, name="profile_details"),
    path("profile/photo/", profile_views.profile_photo, name="profile_photo"),
    path("profile/photo/remove/", profile_views.profile_photo_remove_view, name="profile_photo_remove"),
    path("profile/photo/<uuid:user_id>/", profile_views.photo, name="photo"),
    path("profile/language/", profile_views.profile_language, name="profile_language"),
    path("profile/contact/", profile_views.profile_contact, name="profile_contact"),
    path("profile/alternate-email/", profile_views.profile_alternate_email, name="profile_alternate_email"),
]

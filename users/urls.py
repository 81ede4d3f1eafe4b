from django.urls import include, path

from users import views

app_name = "users"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/check-domain/", views.signup_check_domain, name="signup_check_domain"),
    path("signin/", views.signin, name="signin"),
    path("signout/", views.signout, name="signout"),
    path("", include("users.password_urls")),
    path("", include("users.reset_urls")),
    path("", include("users.profile_urls")),
    path("", include("users.list_urls")),
    path("", include("users.create_urls")),
    path("", include("users.edit_urls")),
    path("", include("users.restore_urls")),
    path("", include("users.import_urls")),
    path("", include("users.license_urls")),
    path("", include("users.custom_view_urls")),
    path("", include("users.group_urls")),
    path("", include("users.user_group_urls")),
]

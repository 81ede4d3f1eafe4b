"""URLs of the users app for profile pages (namespace "users", included from users/urls.py)."""

urlpatterns = []

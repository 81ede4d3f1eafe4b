"""URLs of the users app for password pages (namespace "users", included from users/urls.py)."""

urlpatterns = []

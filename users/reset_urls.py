"""URLs of the users app for reset pages (namespace "users", included from users/urls.py)."""

urlpatterns = []

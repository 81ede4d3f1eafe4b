"""URLs of this part of the users area (namespace "users", included from users/urls.py)."""

urlpatterns = []

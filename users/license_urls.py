"""URLs of the Licenses page (namespace "users", included from users/urls.py)."""

from django.urls import path

from tenantadmin.placeholders import placeholder
from tenantadmin.roles import Perm

urlpatterns = [
    path("admin/licenses/", placeholder("licenses", Perm.LICENSES_READ), name="licenses"),
]

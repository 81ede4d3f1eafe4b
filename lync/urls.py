from django.urls import path

from tenantadmin.placeholders import placeholder
from tenantadmin.roles import Perm

app_name = "lync"

urlpatterns = [
    path("admin/lync/", placeholder("lync", Perm.SERVICE_SETTINGS_WRITE), name="settings"),
]

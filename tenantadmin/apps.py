from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantadminConfig(AppConfig):
    name = "tenantadmin"
    verbose_name = _("Organizations and platform")
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LyncConfig(AppConfig):
    name = "lync"
    verbose_name = _("Instant messaging and conferencing")
    default_auto_field = "django.db.models.BigAutoField"

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One administrative change: who did what to which object, with the values before and after."""

    class ActorType(models.TextChoices):
        USER = "user", _("User")
        APP = "app", _("Application")
        # A partner's person acting as delegated administrator of this organization.
        PARTNER = "partner", _("Partner")
        STAFF = "staff", _("Support staff")
        SYSTEM = "system", _("System")

    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="audit_events")
    occurred_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    actor_type = models.CharField(max_length=10, choices=ActorType.choices)
    # Kept as text so the log still says who acted after that account is purged.
    actor_label = models.CharField(_("actor"), max_length=300)
    action = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(_("object type"), max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(_("object"), max_length=300, blank=True)
    # {"field": [before, after], ...}; secrets are never written here.
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-occurred_at", "-id"], name="audit_tenant_time"),
            models.Index(fields=["tenant", "action", "-occurred_at", "-id"], name="audit_tenant_action"),
            models.Index(fields=["tenant", "actor_label", "-occurred_at", "-id"], name="audit_tenant_actor"),
            # PostgreSQL also gets a trigram index for "actor contains" (migration 0003).
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"

    @property
    def change_pairs(self) -> list[tuple[str, object, object]]:
        """(field, before, after) per changed field. Services write {field: [before, after]}; a value in any
        other shape (a list of added items, a summary count) is read as an "after" with no "before", so every
        reader (the page, the CSV export, the API) shows it instead of failing."""
        pairs = []
        for field, value in (self.changes or {}).items():
            if isinstance(value, (list, tuple)) and len(value) == 2:
                pairs.append((field, value[0], value[1]))
            else:
                pairs.append((field, None, value))
        return pairs

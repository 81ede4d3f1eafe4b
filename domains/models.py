import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_verification_code() -> str:
    """The per-domain token the admin publishes in DNS (`MS=ms12345678` style)."""
    return f"ms{secrets.randbelow(10**8):08d}"


class Domain(models.Model):
    """A domain name an organization uses for user names and e-mail addresses."""

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", _("Click to verify domain")
        ACTIVE = "active", _("Active")  # the initial domain
        VERIFIED = "verified", _("Verified")
        PENDING_DELETION = "pending_deletion", _("Pending deletion")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="domains")
    name = models.CharField(_("domain name"), max_length=253, help_text=_("Lower case; IDNs in punycode."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UNVERIFIED)
    is_initial = models.BooleanField(default=False, editable=False)
    verification_code = models.CharField(max_length=20, default=new_verification_code, editable=False)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)

    class Meta:
        ordering = ["-is_initial", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="domain_tenant_name_unique"),
            # A name verified by one organization cannot be verified by another.
            models.UniqueConstraint(
                fields=["name"], condition=Q(verified_at__isnull=False), name="domain_verified_name_unique",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="domain_tenant_status")]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self):
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppRegistration(models.Model):
    """A program allowed to call the API with the client-credentials grant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="app_registrations")
    display_name = models.CharField(_("name"), max_length=120)
    client_id = models.UUIDField(_("application (client) ID"), default=uuid.uuid4, unique=True, editable=False)
    # Application permissions (Graph names such as "User.ReadWrite.All"), see tenantadmin.api.permissions.
    permissions = models.JSONField(_("permissions"), default=list)
    # "Allow public client flows": people may sign in through this app with their own user name and
    # password (the resource-owner password grant) and act as themselves, e.g. on /v1.0/me.
    public_client_enabled = models.BooleanField(_("allow sign-in by people (public client)"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["display_name", "id"]
        indexes = [models.Index(fields=["tenant", "display_name", "id"], name="app_tenant_name")]
        verbose_name = _("app registration")
        verbose_name_plural = _("app registrations")

    def __str__(self):
        return self.display_name


class AppSecret(models.Model):
    """A client secret. Only a SHA-256 digest is kept: the secret is shown once, at creation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # Graph's keyId
    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="+")
    app = models.ForeignKey(AppRegistration, on_delete=models.CASCADE, related_name="secrets")
    display_name = models.CharField(_("description"), max_length=120, blank=True)
    hint = models.CharField(max_length=3)  # first characters, so admins can tell secrets apart
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "app", "-created_at"], name="secret_tenant_app")]
        verbose_name = _("client secret")
        verbose_name_plural = _("client secrets")

    def __str__(self):
        return f"{self.hint}… ({self.display_name or self.app.display_name})"

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sku(models.Model):
    """A plan that can be bought: the service plans it bundles and its seat limit.

    Minimal until the billing issue brings prices, countries and the editable catalog file.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # Graph's skuId
    part_number = models.CharField(_("part number"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=120)
    # [{"servicePlanId": "...", "servicePlanName": "EXCHANGE_S_STANDARD", "displayName": "Exchange Online"}]
    service_plans = models.JSONField(default=list)
    max_seats = models.PositiveIntegerField(_("maximum seats"), null=True, blank=True)
    # Small-business plans only accept second-level domains (SPEC domains/ "Add a domain").
    is_small_business = models.BooleanField(default=False)
    trial_available = models.BooleanField(default=True)
    trial_units = models.PositiveIntegerField(default=25)

    class Meta:
        ordering = ["name"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self):
        return self.name


class Subscription(models.Model):
    """N licenses of one plan held by an organization."""

    class Status(models.TextChoices):
        ENABLED = "enabled", _("Active")
        WARNING = "warning", _("Expired (grace period)")
        SUSPENDED = "suspended", _("Disabled")
        DELETED = "deleted", _("Deleted")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="subscriptions")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ENABLED)
    is_trial = models.BooleanField(_("trial"), default=False)
    quantity = models.PositiveIntegerField(_("licenses"))
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["tenant", "status"], name="subscription_tenant_status")]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self):
        return f"{self.sku.name} × {self.quantity}"

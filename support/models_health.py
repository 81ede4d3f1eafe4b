"""Service health: incidents with their updates, and planned maintenance (SPEC support/ "Service health").

These tables are operator-wide on purpose and have no `tenant` foreign key. DESIGN's rule 1 is about
tenant-owned rows; an incident or a maintenance window holds no data of any organization — it describes
the operator's service. What an organization sees is filtered by the services it subscribes to
(support/health_selectors.py), and staff publish these rows in the staff site (the Django admin's change
log records who did it, since there is no single organization to write an AuditEvent for).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from support.health_catalog import SERVICE_CHOICES, component_label, components_of, service_label


class Incident(models.Model):
    class Classification(models.TextChoices):
        DEGRADATION = "degradation", _("Service degradation (slow or intermittent)")
        INTERRUPTION = "interruption", _("Service interruption (not working)")

    class Status(models.TextChoices):
        INVESTIGATING = "investigating", _("Investigating")
        RESTORING = "restoring", _("Restoring service")
        RESTORED = "restored", _("Normal service restored")

    service = models.CharField(_("service"), max_length=32, choices=SERVICE_CHOICES)
    component = models.CharField(_("component"), max_length=32, help_text=_("A component of the chosen service."))
    title = models.CharField(_("title"), max_length=200)
    classification = models.CharField(_("classification"), max_length=16, choices=Classification.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.INVESTIGATING)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True,
                                    help_text=_("Leave empty while the incident is ongoing."))
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["-started_at", "pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["started_at"], name="incident_started"),
                   models.Index(fields=["ended_at"], name="incident_ended")]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.service and self.component and self.component not in components_of(self.service):
            errors["component"] = _("Choose one of the components of this service: %(components)s.") % {
                "components": ", ".join(component_label(self.service, c) for c in components_of(self.service))}
        if self.started_at and self.ended_at and self.ended_at < self.started_at:
            errors["ended_at"] = _("The end cannot be before the start.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    @property
    def service_label(self) -> str:
        return service_label(self.service)

    @property
    def component_label(self) -> str:
        return component_label(self.service, self.component)


class IncidentUpdate(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    posted_at = models.DateTimeField(_("posted"))
    message = models.TextField(_("message"))
    status = models.CharField(_("status at that time"), max_length=16, choices=Incident.Status.choices)

    class Meta:
        ordering = ["posted_at", "pk"]
        verbose_name = _("incident update")
        verbose_name_plural = _("incident updates")

    def __str__(self):
        return f"{self.incident} @ {self.posted_at:%Y-%m-%d %H:%M}"


class Maintenance(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    # Service keys of support/health_catalog.py, e.g. ["exchange", "portal"].
    services = models.JSONField(_("services"), default=list)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), help_text=_("What changes and what people may notice."))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["-starts_at", "pk"]
        verbose_name = _("planned maintenance")
        verbose_name_plural = _("planned maintenance")
        indexes = [models.Index(fields=["ends_at"], name="maintenance_ends")]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})
        unknown = [s for s in (self.services or []) if s not in dict(SERVICE_CHOICES)]
        if unknown or not self.services:
            raise ValidationError({"services": _("Choose at least one service.")})

    @property
    def service_labels(self) -> list[str]:
        return [service_label(s) for s in self.services]


class HealthFeed(models.Model):
    """The organization's secret RSS feed address (SPEC support/ "RSS feed").

    The address is derived, not stored: it is django.core.signing's HMAC (keyed by SECRET_KEY) of the tenant id
    and this rotation counter (support/health_feed.py). Administrators can always see it again, a database read
    alone does not reveal it, and Regenerate bumps the counter so every older address stops working. A tenant
    without a row is at rotation 0."""

    tenant = models.OneToOneField("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="health_feed")
    rotation = models.PositiveIntegerField(default=0)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("service health feed")
        verbose_name_plural = _("service health feeds")

    def __str__(self):
        return str(self.tenant)

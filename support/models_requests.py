"""Service requests (SPEC support/ "Service requests"): a tenant's request to support staff,
its conversation and its attachments (stored under PRIVATE_FILES_ROOT, outside the web root)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceRequest(models.Model):
    class Category(models.TextChoices):
        BILLING = "billing", _("Billing and subscription")
        ENABLE_POP = "enable_pop", _("Enable POP access")
        TRANSFER_OWNERSHIP = "transfer_ownership", _("Transfer account ownership")
        OTHER = "other", _("Other operational request")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        WAITING = "waiting", _("Waiting for customer")
        IN_PROGRESS = "in_progress", _("In progress")
        SOLVED = "solved", _("Solved")
        CLOSED = "closed", _("Closed")

    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="service_requests")
    # Gapless per organization; shown as SR-<number>.
    number = models.PositiveIntegerField(_("number"))
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    contact_email = models.EmailField(_("contact e-mail"), max_length=254)
    contact_phone = models.CharField(_("contact phone"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    created_by_label = models.CharField(_("requested by"), max_length=300, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("assigned to"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="support_request_tenant_number"),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "-number"], name="support_req_tenant_status"),
            models.Index(fields=["status", "-updated_at"], name="support_req_queue"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    @property
    def reference(self) -> str:
        return f"SR-{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED


class RequestMessage(models.Model):
    class AuthorKind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        STAFF = "staff", _("Support staff")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(_("from"), max_length=10, choices=AuthorKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    # Kept as text so the conversation still says who wrote after that account is purged.
    author_label = models.CharField(_("author"), max_length=300)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return f"{self.author_label} ({self.created_at:%Y-%m-%d %H:%M})"


class RequestAttachment(models.Model):
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        RequestMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments",
    )
    file_name = models.CharField(_("file name"), max_length=255)
    # Detected from the content, never from the name or the browser.
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    # Relative to settings.PRIVATE_FILES_ROOT.
    storage_path = models.CharField(max_length=300, editable=False)
    uploaded_by_label = models.CharField(_("uploaded by"), max_length=300)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.file_name

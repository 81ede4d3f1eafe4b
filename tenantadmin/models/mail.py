from django.db import models
from django.utils.translation import gettext_lazy as _


class MailSuppression(models.Model):
    """An address that used the unsubscribe link of a kind of product mail."""

    class Category(models.TextChoices):
        ACCOUNT = "account", _("Account and sign-in messages")
        JOBS = "jobs", _("Notices about finished background jobs")
        SERVICE = "service", _("Service and billing notices")
        PROMOTIONAL = "promotional", _("Offers and news")

    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("e-mail address"))  # lower case
    category = models.CharField(max_length=20, choices=Category.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "email", "category"], name="mail_suppression_unique")]
        verbose_name = _("mail unsubscription")

    def __str__(self):
        return f"{self.email} ({self.category})"

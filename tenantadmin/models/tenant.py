import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from tenantadmin.languages import COMMUNICATION_LANGUAGES


class Tenant(models.Model):
    """An organization: the unit that owns users, domains, subscriptions and settings."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("organization name"), max_length=100)
    # Fixed for life (SPEC sign-up): it drives currency, tax and data location. No service
    # writes it after creation and the forms do not offer it.
    country = CountryField(_("country or region"))
    preferred_language = models.CharField(
        _("language preference"), max_length=10, choices=COMMUNICATION_LANGUAGES, default="en",
        help_text=_("Language of business communications such as invoices and service mail."),
    )
    street = models.CharField(_("address"), max_length=1024, blank=True)
    city = models.CharField(_("city"), max_length=128, blank=True)
    state = models.CharField(_("state or province"), max_length=128, blank=True)
    postal_code = models.CharField(_("ZIP or postal code"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    technical_contact = models.EmailField(_("technical contact"), max_length=254, blank=True)
    # <label>.<INITIAL_DOMAIN_SUFFIX>, lower case; never changes and is never removed.
    initial_domain = models.CharField(_("initial domain"), max_length=253, unique=True, editable=False)
    # Name of the domain used for new user names and e-mail addresses; always one of the
    # tenant's verified domains (checked by the service that sets it).
    default_domain = models.CharField(_("default domain"), max_length=253)
    # Password expiration policy (SPEC users/ "Passwords"): 14–730 days, or passwords never expire.
    passwords_expire = models.BooleanField(_("passwords expire"), default=True)
    password_expiry_days = models.PositiveSmallIntegerField(
        _("days before passwords expire"), default=90, validators=[MinValueValidator(14), MaxValueValidator(730)],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return f"{self.name} ({self.initial_domain})"


class ServiceSettings(models.Model):
    """Organization-wide service settings (SPEC tenantadmin/ "Service settings")."""

    tenant = models.OneToOneField(Tenant, primary_key=True, on_delete=models.CASCADE, related_name="service_settings")
    calendar_publishing_enabled = models.BooleanField(
        _("calendar publishing"), default=True,
        help_text=_("When off, nobody in the organization can publish calendars outside it."),
    )
    mobile_email_enabled = models.BooleanField(
        _("e-mail on phones and tablets"), default=True,
        help_text=_("Applies to everyone, administrators included."),
    )
    device_password_required = models.BooleanField(_("require a device password"), default=False)
    # The options below only apply while a device password is required; they are kept when the
    # requirement is switched off so switching it back on restores them.
    device_password_min_length = models.PositiveSmallIntegerField(
        _("minimum password length"), default=4, validators=[MinValueValidator(4), MaxValueValidator(16)],
    )
    device_password_alphanumeric = models.BooleanField(_("require letters and numbers"), default=False)
    device_inactivity_lock_minutes = models.PositiveSmallIntegerField(
        _("lock after inactivity (minutes)"), default=15, validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    device_wipe_after_failures = models.PositiveSmallIntegerField(
        _("wipe device after failed attempts"), default=10, validators=[MinValueValidator(4), MaxValueValidator(16)],
    )
    lync_mobile_push_enabled = models.BooleanField(
        _("mobile IM push notifications"), default=True,
        help_text=_("Notifications to Lync on phones through the push services."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service settings")
        verbose_name_plural = _("service settings")

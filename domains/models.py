import secrets
import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
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

    class Hosting(models.TextChoices):
        # SPEC domains/ "Name servers": the zone stays at the admin's DNS host until the NS switch.
        EXTERNAL = "external", _("Kept at your DNS host")
        HOSTED = "hosted", _("Hosted here (name servers switched)")
        # "Add a domain without switching name servers": the admin creates the service records.
        NO_NS_SWITCH = "no_ns_switch", _("At your DNS host, records created by you")

    class Push(models.TextChoices):
        # State of the copy of the zone on the authoritative server (PowerDNS); never lost: a
        # pending or failed push is retried by the beat task until it succeeds.
        NONE = "", _("Not pushed")
        PENDING = "pending", _("Waiting to be published")
        DONE = "done", _("Published")
        FAILED = "failed", _("Publishing failed; retrying")

    class ServiceCheck(models.TextChoices):
        # The last conclusive live check of the name servers and service records (domains/service_checks.py).
        # UNKNOWN: no conclusive check yet (never checked, DNS did not answer, or the DNS mode changed since).
        OK = "ok", _("Records correct")
        PROBLEM = "problem", _("Problems found")
        UNKNOWN = "unknown", _("Not checked")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="domains")
    name = models.CharField(_("domain name"), max_length=253, help_text=_("Lower case; IDNs in punycode."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UNVERIFIED)
    is_initial = models.BooleanField(default=False, editable=False)
    verification_code = models.CharField(max_length=20, default=new_verification_code, editable=False)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    # Background verification (SPEC: poll with back-off for 72 hours, then explain what to check).
    polling_since = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    check_attempts = models.PositiveIntegerField(default=0)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    last_result = models.CharField(_("last check"), max_length=300, blank=True)
    given_up_at = models.DateTimeField(null=True, blank=True)
    hosting = models.CharField(_("DNS hosting"), max_length=20, choices=Hosting.choices, default=Hosting.EXTERNAL)
    ns_detected_at = models.DateTimeField(_("name servers switched"), null=True, blank=True)
    # The public website (SPEC: one per organization). "hosted": A @ and CNAME www point at our
    # site; "external": A @ -> website_ip and optional CNAME www -> website_host.
    website = models.CharField(max_length=10, blank=True, default="",
                               choices=[("", _("None")), ("hosted", _("Hosted here")), ("external", _("Elsewhere"))])
    website_ip = models.GenericIPAddressField(_("website IP address"), null=True, blank=True)
    website_host = models.CharField(_("website host name"), max_length=253, blank=True)
    zone_serial = models.PositiveBigIntegerField(default=1)
    push_state = models.CharField(max_length=10, choices=Push.choices, blank=True, default=Push.NONE)
    push_error = models.CharField(max_length=500, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    removal_error = models.CharField(max_length=500, blank=True)
    # Stored so the Domains list reads health without waiting on live DNS; written by the daily check and by
    # the troubleshooter's "Check now" (domains/service_checks.py), reset when the DNS mode changes.
    services_checked_at = models.DateTimeField(_("service records checked"), null=True, blank=True)
    services_check_state = models.CharField(_("service records"), max_length=10, choices=ServiceCheck.choices,
                                            default=ServiceCheck.UNKNOWN)
    # The failing checks: [{"code": "record_missing", "params": {"type": "MX", "name": "contoso.com"},
    # "message": "..."}]; the page shows each in the viewer's language from its code and params.
    services_problems = models.JSONField(_("service record problems"), default=list, blank=True)

    class Meta:
        ordering = ["-is_initial", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="domain_tenant_name_unique"),
            # A name verified by one organization cannot be verified by another.
            models.UniqueConstraint(
                fields=["name"], condition=Q(verified_at__isnull=False), name="domain_verified_name_unique",
            ),
            # SPEC: one public website per organization.
            models.UniqueConstraint(fields=["tenant"], condition=~Q(website=""), name="domain_one_website"),
        ]
        indexes = [
            models.Index(fields=["tenant", "status"], name="domain_tenant_status"),
            # The poller's "due now" scan only ever looks at pending domains.
            models.Index(fields=["next_check_at"], condition=Q(verified_at__isnull=True, given_up_at__isnull=True),
                         name="domain_pending_due"),
            # The daily service check's "least recently checked first" scan only looks at checkable domains.
            models.Index(fields=["services_checked_at"], condition=Q(verified_at__isnull=False, is_initial=False,
                                                                     hosting__in=["hosted", "no_ns_switch"]),
                         name="domain_services_due"),
        ]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self):
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def unicode_name(self) -> str:
        from domains.names import to_unicode

        return to_unicode(self.name)


class DnsRecord(models.Model):
    """One record of a hosted zone. System records (service records) are created and changed by us only."""

    class Type(models.TextChoices):
        A = "A", "A"
        AAAA = "AAAA", "AAAA"
        CNAME = "CNAME", "CNAME"
        MX = "MX", "MX"
        TXT = "TXT", "TXT"
        SRV = "SRV", "SRV"

    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="+")
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="dns_records")
    # Relative to the zone: "@" for the apex, "www", "_sip._tls".
    name = models.CharField(_("host name"), max_length=253)
    type = models.CharField(_("type"), max_length=5, choices=Type.choices)
    # A/AAAA: the address; CNAME/MX/SRV: the target host name; TXT: the text.
    value = models.CharField(_("value"), max_length=2048)
    priority = models.PositiveIntegerField(_("priority"), null=True, blank=True,
                                           validators=[MinValueValidator(0), MaxValueValidator(65535)])
    weight = models.PositiveIntegerField(_("weight"), null=True, blank=True, validators=[MaxValueValidator(65535)])
    port = models.PositiveIntegerField(_("port"), null=True, blank=True, validators=[MaxValueValidator(65535)])
    ttl = models.PositiveIntegerField(_("TTL (seconds)"), default=3600)
    is_system = models.BooleanField(_("system record"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "type", "priority", "value"]
        indexes = [models.Index(fields=["tenant", "domain", "name"], name="dnsrecord_tenant_domain_name")]
        verbose_name = _("DNS record")
        verbose_name_plural = _("DNS records")

    def __str__(self):
        return f"{self.name} {self.type} {self.value}"

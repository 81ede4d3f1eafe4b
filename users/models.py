import uuid
from datetime import timedelta
from functools import cached_property

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from tenantadmin.roles import Role, permissions_for

# SPEC users/ CSV table: a user name is alias@domain, 79 characters in all.
UPN_MAX_LENGTH = 79
ALIAS_MAX_LENGTH = 30
DOMAIN_MAX_LENGTH = 48


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, upn):
        return self.get(upn__iexact=upn, deleted_at__isnull=True)

    def create_user(self, upn, password=None, **fields):
        """Low-level creation (tests and createsuperuser); the product goes through users.services."""
        user = self.model(upn=upn.lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, upn, password=None, **fields):
        """Operator support staff: no organization, Django admin only."""
        fields.setdefault("display_name", upn)
        return self.create_user(upn, password, is_staff=True, is_superuser=True, tenant=None, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: a member of one organization, or operator support staff (tenant is null)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(
        "tenantadmin.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="users",
        help_text=_("Empty only for the operator's support staff."),
    )
    upn = models.CharField(_("user name"), max_length=UPN_MAX_LENGTH, help_text=_("alias@domain"))
    first_name = models.CharField(_("first name"), max_length=64, blank=True)
    last_name = models.CharField(_("last name"), max_length=64, blank=True)
    display_name = models.CharField(_("display name"), max_length=256)
    job_title = models.CharField(_("job title"), max_length=64, blank=True)
    department = models.CharField(_("department"), max_length=64, blank=True)
    office = models.CharField(_("office number"), max_length=128, blank=True)
    office_phone = models.CharField(_("office phone"), max_length=64, blank=True)
    mobile_phone = models.CharField(_("mobile phone"), max_length=64, blank=True)
    fax = models.CharField(_("fax"), max_length=64, blank=True)
    street = models.CharField(_("address"), max_length=1024, blank=True)
    city = models.CharField(_("city"), max_length=128, blank=True)
    state = models.CharField(_("state or province"), max_length=128, blank=True)
    postal_code = models.CharField(_("ZIP or postal code"), max_length=40, blank=True)
    country_name = models.CharField(_("country or region"), max_length=128, blank=True)
    # The user location decides which licenses may be assigned (license restrictions by country).
    usage_location = CountryField(_("user location"), blank=True)
    # Where password-reset and service mail goes; required for administrators.
    alternate_email = models.EmailField(_("alternate e-mail address"), blank=True)
    language = models.CharField(_("display language"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, help_text=_("An IANA name such as Europe/Amsterdam."))
    # Sign-in allowed / blocked (SPEC "Sign-in status"); a blocked account keeps its licenses.
    is_active = models.BooleanField(_("sign-in allowed"), default=True)
    is_staff = models.BooleanField(_("support staff"), default=False)
    must_change_password = models.BooleanField(default=False)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "upn"
    EMAIL_FIELD = "alternate_email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [
            # Unique among live accounts; a deleted account keeps its name for 30 days.
            models.UniqueConstraint(Lower("upn"), condition=Q(deleted_at__isnull=True), name="user_live_upn_unique"),
        ]
        indexes = [
            models.Index(fields=["tenant", "display_name", "id"], name="user_tenant_display"),
            models.Index(fields=["tenant", "upn", "id"], name="user_tenant_upn_id"),
            models.Index(fields=["tenant", "created_at", "id"], name="user_tenant_created"),
            # The Deleted users tab and the purge task read only the few deleted rows.
            models.Index(fields=["tenant", "deleted_at", "id"], name="user_tenant_deleted",
                         condition=Q(deleted_at__isnull=False)),
        ]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return f"{self.display_name} <{self.upn}>"

    @property
    def alias(self) -> str:
        return self.upn.partition("@")[0]

    @property
    def domain(self) -> str:
        return self.upn.partition("@")[2]

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.first_name or self.display_name

    def password_expires_at(self):
        """When the password expires under the organization's policy (None: never)."""
        tenant = self.tenant
        if tenant is None or not tenant.passwords_expire or self.password_changed_at is None:
            return None
        return self.password_changed_at + timedelta(days=tenant.password_expiry_days)

    def must_change_password_now(self, now=None) -> bool:
        """A temporary password, or an expired one: the next sign-in goes to Change password first."""
        if self.must_change_password:
            return True
        expires = self.password_expires_at()
        return expires is not None and expires <= (now or timezone.now())

    @cached_property
    def role_codes(self) -> frozenset[str]:
        """The administrator roles this person holds (one query, then cached on the instance)."""
        if self.pk is None or self.tenant_id is None:
            return frozenset()
        return frozenset(self.role_assignments.values_list("role", flat=True))

    @property
    def admin_perms(self):
        return permissions_for(self.role_codes)

    @property
    def is_admin(self) -> bool:
        return bool(self.role_codes)

    @property
    def is_global_admin(self) -> bool:
        return Role.GLOBAL_ADMIN in self.role_codes


class ContactPreferences(models.Model):
    """How a person wants to hear from the operator (My profile, SPEC "contact preferences")."""

    user = models.OneToOneField(User, primary_key=True, on_delete=models.CASCADE, related_name="contact_preferences")
    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="+")
    preferred_phone = models.CharField(_("preferred phone"), max_length=64, blank=True)
    preferred_mobile = models.CharField(_("preferred mobile phone"), max_length=64, blank=True)
    preferred_email = models.EmailField(_("preferred e-mail address"), blank=True)
    promotional_offers = models.BooleanField(_("promotional offers"), default=False)
    customer_research = models.BooleanField(_("customer research"), default=False)
    educational_content = models.BooleanField(_("educational content"), default=False)
    partner_communications = models.BooleanField(_("partner communications"), default=False)
    compliance_notices = models.BooleanField(_("compliance notices"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact preferences")
        verbose_name_plural = _("contact preferences")


class UserPhoto(models.Model):
    """A profile photo: at most 100 KB as uploaded, re-encoded (metadata stripped) before it is kept."""

    user = models.OneToOneField(User, primary_key=True, on_delete=models.CASCADE, related_name="photo")
    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="+")
    content = models.BinaryField()
    content_type = models.CharField(max_length=40)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile photo")


class PasswordResetRequest(models.Model):
    """One administrator self-service password reset (SPEC users/ "Passwords"): a mailed link, then an
    SMS code, then a new password, all within 10 minutes and in the browser session that started it.
    Only digests of the link token, the code and the session key are stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_resets")
    session_digest = models.CharField(max_length=64)
    link_digest = models.CharField(max_length=64, unique=True)
    code_digest = models.CharField(max_length=64, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    link_opened_at = models.DateTimeField(null=True, blank=True)
    code_verified_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "user", "-created_at"], name="reset_tenant_user")]
        verbose_name = _("password reset request")


class LicenseAssignment(models.Model):
    """One license of a plan (SKU) held by one user. Free units of a plan = units of its enabled and
    warning subscriptions − assignments; the services that assign lock the plan's subscriptions first."""

    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="licenses")
    sku = models.ForeignKey("billing.Sku", on_delete=models.PROTECT, related_name="+")
    # servicePlanIds of the plan that are switched off for this user (Graph's disabledPlans).
    disabled_plans = models.JSONField(default=list, blank=True)
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "sku"], name="license_user_sku_unique")]
        indexes = [models.Index(fields=["tenant", "sku"], name="license_tenant_sku")]
        verbose_name = _("license assignment")

    def __str__(self):
        return f"{self.user_id}: {self.sku_id}"


class RoleAssignment(models.Model):
    """One administrator role held by one user."""

    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="role_assignment_unique")]
        indexes = [models.Index(fields=["tenant", "role"], name="role_tenant_role")]
        verbose_name = _("role assignment")

    def __str__(self):
        return f"{self.user.upn}: {self.get_role_display()}"


class ProxyAddress(models.Model):
    """An e-mail address of a user (Graph's proxyAddresses: "SMTP:" for the primary, "smtp:" for aliases).

    Unique among live accounts: `is_live` follows the owner's deletion (the delete and restore services
    set it), so a deleted account keeps its addresses for a restore while others may take them meanwhile
    (SPEC users/ "proxy address conflict").
    """

    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="proxy_addresses")
    address = models.CharField(_("e-mail address"), max_length=UPN_MAX_LENGTH + 177)  # Graph: 256
    is_primary = models.BooleanField(_("primary"), default=False)
    is_live = models.BooleanField(default=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("address"), condition=Q(is_live=True), name="proxy_live_address_unique"),
            models.UniqueConstraint(fields=["user"], condition=Q(is_primary=True), name="proxy_one_primary"),
        ]
        indexes = [models.Index(fields=["tenant", "user"], name="proxy_tenant_user")]
        verbose_name = _("proxy address")
        verbose_name_plural = _("proxy addresses")

    def __str__(self):
        return f"{'SMTP' if self.is_primary else 'smtp'}:{self.address}"


class SecurityGroup(models.Model):
    """A security group of an organization: a named set of users (used by views and, later, policies)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="security_groups")
    display_name = models.CharField(_("name"), max_length=256)
    description = models.CharField(_("description"), max_length=1024, blank=True)
    # Graph's mailNickname: required when a program creates a group and read back as sent; a security group
    # has no mailbox, so it is only stored (the portal derives one from the name).
    mail_nickname = models.CharField(_("mail nickname"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("tenant", Lower("display_name"), name="group_tenant_name_unique"),
        ]
        indexes = [models.Index(fields=["tenant", "display_name", "id"], name="group_tenant_name")]
        verbose_name = _("security group")
        verbose_name_plural = _("security groups")

    def __str__(self):
        return self.display_name


class GroupMembership(models.Model):
    """One user in one security group."""

    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(SecurityGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="group_memberships")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="group_membership_unique")]
        indexes = [models.Index(fields=["tenant", "user"], name="group_member_tenant_user")]
        verbose_name = _("group membership")


class CustomView(models.Model):
    """A saved, shared filter of the Users page (SPEC users/ "User views": up to 50 per organization).

    `filters` holds the chosen filters, ANDed: {"sku": "<skuId>", "unlicensed": true, "domain": "...",
    "department": "...", "country": "NL", "sign_in": "allowed"|"blocked", "role": "<role code>",
    "group": "<group id>"}; users.views_catalog turns them into a query.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="custom_views")
    name = models.CharField(_("name"), max_length=64)
    filters = models.JSONField(default=dict)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint("tenant", Lower("name"), name="custom_view_tenant_name_unique")]
        verbose_name = _("custom view")
        verbose_name_plural = _("custom views")

    def __str__(self):
        return self.name

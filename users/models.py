import uuid
from functools import cached_property

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
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
            models.Index(fields=["tenant", "upn"], name="user_tenant_upn"),
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

"""Administrator roles and what each may do: the one mapping of SPEC's role table.

Views check a `Perm` through `tenantadmin.access.require_perm`; the API checks the same
permissions for people and its own application permissions for app tokens.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GLOBAL_ADMIN = "global_admin", _("Global administrator")
    BILLING_ADMIN = "billing_admin", _("Billing administrator")
    PASSWORD_ADMIN = "password_admin", _("Password administrator")
    SERVICE_ADMIN = "service_admin", _("Service administrator")
    USER_ADMIN = "user_admin", _("User management administrator")


# Graph's directoryRole template ids, so scripts written against Graph find the same roles.
ROLE_TEMPLATE_IDS = {
    Role.GLOBAL_ADMIN: "62e90394-69f5-4237-9190-012177145e10",
    Role.BILLING_ADMIN: "b0f54661-2d74-4c50-afa3-1ec803f12efe",
    Role.PASSWORD_ADMIN: "966707d0-3269-4727-9be2-8c3a10f19b9d",
    Role.SERVICE_ADMIN: "f023fd81-a637-4b56-95fd-791ac0226033",
    Role.USER_ADMIN: "fe930be7-5e62-47db-91af-98c3a49a38b1",
}

ROLE_DESCRIPTIONS = {
    Role.GLOBAL_ADMIN: _("Everything, including assigning roles."),
    Role.BILLING_ADMIN: _("Subscriptions, purchases, billing, support requests and service health."),
    Role.PASSWORD_ADMIN: _("Resets passwords of users who are not administrators; views users; support and service health."),
    Role.SERVICE_ADMIN: _("Service settings, service health and support requests; views users."),
    Role.USER_ADMIN: _("Creates, edits and deletes users and groups, resets passwords of non-administrators, "
                       "assigns licenses; cannot change administrators."),
}


class Perm(StrEnum):
    ADMIN_CENTER = "admin_center"          # may open the admin center at all
    ORG_READ = "org.read"
    ORG_WRITE = "org.write"
    SERVICE_SETTINGS_WRITE = "service_settings.write"
    USERS_READ = "users.read"
    USERS_WRITE = "users.write"
    PASSWORDS_RESET = "passwords.reset"
    ROLES_ASSIGN = "roles.assign"
    LICENSES_READ = "licenses.read"
    LICENSES_WRITE = "licenses.write"
    GROUPS_WRITE = "groups.write"
    DOMAINS_READ = "domains.read"
    DOMAINS_WRITE = "domains.write"
    BILLING_READ = "billing.read"
    BILLING_WRITE = "billing.write"
    SUPPORT = "support"
    SERVICE_HEALTH = "service_health"
    AUDIT_READ = "audit.read"
    APPS_MANAGE = "apps.manage"


_ANY_ADMIN = {Perm.ADMIN_CENTER, Perm.ORG_READ}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.GLOBAL_ADMIN: frozenset(Perm),
    Role.BILLING_ADMIN: frozenset(
        _ANY_ADMIN | {Perm.BILLING_READ, Perm.BILLING_WRITE, Perm.LICENSES_READ, Perm.SUPPORT, Perm.SERVICE_HEALTH}
    ),
    Role.PASSWORD_ADMIN: frozenset(_ANY_ADMIN | {Perm.USERS_READ, Perm.PASSWORDS_RESET, Perm.SUPPORT, Perm.SERVICE_HEALTH}),
    Role.SERVICE_ADMIN: frozenset(
        _ANY_ADMIN | {Perm.SERVICE_SETTINGS_WRITE, Perm.USERS_READ, Perm.SUPPORT, Perm.SERVICE_HEALTH}
    ),
    # User management admins need the domain list to pick a user name's domain, not to change it.
    Role.USER_ADMIN: frozenset(
        _ANY_ADMIN
        | {Perm.USERS_READ, Perm.USERS_WRITE, Perm.PASSWORDS_RESET, Perm.LICENSES_READ, Perm.LICENSES_WRITE, Perm.GROUPS_WRITE,
           Perm.DOMAINS_READ}
    ),
}


def permissions_for(role_codes) -> frozenset[Perm]:
    """The union of the permissions of the given role codes."""
    result: set[Perm] = set()
    for code in role_codes:
        result |= ROLE_PERMISSIONS.get(code, frozenset())
    return frozenset(result)

"""The admin center's left pane (SPEC "Admin overview"): sections and links, each with the
permission that shows it. URL names are strings so core imports no app. The Partner section is
shown only to organizations the operator enrolled as partners (SPEC billing/ "Partners")."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenantadmin.roles import Perm


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: Perm
    icon: str


NAVIGATION = [
    (None, [NavItem(_("Admin overview"), "tenantadmin:overview", Perm.ADMIN_CENTER, "speedometer2")]),
    (_("Management"), [
        NavItem(_("Users"), "users:list", Perm.USERS_READ, "people"),
        NavItem(_("Domains"), "domains:list", Perm.DOMAINS_READ, "globe2"),
        NavItem(_("Security groups"), "users:groups", Perm.USERS_READ, "collection"),
        NavItem(_("Sign-in locks"), "users:signin_locks", Perm.USERS_READ, "lock"),
    ]),
    (_("Subscriptions"), [
        NavItem(_("Manage"), "billing:subscriptions", Perm.BILLING_READ, "card-checklist"),
        NavItem(_("Purchase"), "billing:purchase", Perm.BILLING_WRITE, "cart"),
        NavItem(_("Services summary"), "billing:services", Perm.BILLING_READ, "grid"),
        NavItem(_("Billing history"), "billing:history", Perm.BILLING_READ, "receipt"),
        NavItem(_("Licenses"), "users:licenses", Perm.LICENSES_READ, "key"),
    ]),
    (_("Support"), [
        NavItem(_("Overview"), "support:overview", Perm.SUPPORT, "life-preserver"),
        NavItem(_("Service requests"), "support:requests", Perm.SUPPORT, "chat-left-text"),
        NavItem(_("Service health"), "support:health", Perm.SERVICE_HEALTH, "heart-pulse"),
        NavItem(_("Planned maintenance"), "support:maintenance", Perm.SERVICE_HEALTH, "calendar-event"),
    ]),
    (_("Settings"), [
        NavItem(_("Service settings"), "tenantadmin:service_settings", Perm.SERVICE_SETTINGS_WRITE, "sliders"),
        NavItem(_("IM and meetings"), "lync:settings", Perm.SERVICE_SETTINGS_WRITE, "camera-video"),
        NavItem(_("Organization profile"), "tenantadmin:organization", Perm.ORG_READ, "building"),
        NavItem(_("Password policy"), "users:password_policy", Perm.ORG_WRITE, "key-fill"),
        NavItem(_("App registrations"), "tenantadmin:apps", Perm.APPS_MANAGE, "plug"),
        NavItem(_("Audit log"), "tenantadmin:audit_log", Perm.AUDIT_READ, "journal-text"),
        NavItem(_("Jobs"), "tenantadmin:jobs", Perm.ADMIN_CENTER, "hourglass-split"),
    ]),
]


# Shown after Support to partner organizations only. Customers: the partner's people who act for customers
# (their roles reset passwords: global, password and user management admins); Invitations: global admins.
PARTNER_NAVIGATION = [
    (_("Partner"), [
        NavItem(_("Customers"), "partners:customers", Perm.PASSWORDS_RESET, "buildings"),
        NavItem(_("Invitations"), "partners:invitations", Perm.ROLES_ASSIGN, "envelope-plus"),
    ]),
]


def navigation_for(perms, current_path: str, *, partner: bool = False) -> list[dict]:
    """The sections and links this person may see, with the current one marked active: the link whose address
    is the longest prefix of the current path (Manage subscriptions and the Services summary below it).
    `partner`: the organization is an enrolled partner (adds the Partner section)."""
    overview = reverse("tenantadmin:overview")
    sections = []
    layout = NAVIGATION[:-1] + PARTNER_NAVIGATION + NAVIGATION[-1:] if partner else NAVIGATION
    for title, items in layout:
        links = [{"label": item.label, "url": reverse(item.url_name), "icon": item.icon, "active": False}
                 for item in items if item.perm in perms]
        if links:
            sections.append({"title": title, "links": links})
    matches = [link for section in sections for link in section["links"]
               if current_path == link["url"] or (link["url"] != overview and current_path.startswith(link["url"]))]
    if matches:
        max(matches, key=lambda link: len(link["url"]))["active"] = True
    return sections

"""Application permissions (Graph names) that an app registration can be granted.

An endpoint names the permissions that allow it, as the Graph reference does ("least to most
privileged"); a token passes when it holds any one of them.
"""

from django.utils.translation import gettext_lazy as _

APPLICATION_PERMISSIONS: dict[str, str] = {
    "Organization.Read.All": _("Read the organization profile."),
    "Organization.ReadWrite.All": _("Read and change the organization profile."),
    "User.Read.All": _("Read all users."),
    "User.ReadWrite.All": _("Create, change and delete users."),
    "Group.Read.All": _("Read all groups."),
    "Group.ReadWrite.All": _("Create, change and delete groups."),
    "Domain.Read.All": _("Read domains."),
    "Domain.ReadWrite.All": _("Add, verify, change and remove domains."),
    "Directory.Read.All": _("Read everything in the directory: users, groups, domains, roles, organization."),
    "Directory.ReadWrite.All": _("Read and change everything in the directory."),
    "RoleManagement.ReadWrite.Directory": _("Assign and remove administrator roles."),
    "AuditLog.Read.All": _("Read the audit log."),
    "Application.ReadWrite.All": _("Manage app registrations and their secrets."),
    "ServiceHealth.Read.All": _("Read service health and planned maintenance."),
    # Not in Graph: billing orders and invoices live under /v1.0/tenantadmin/billing (SPEC API).
    "Billing.Read.All": _("Read subscriptions, orders and invoices."),
    "Billing.ReadWrite.All": _("Read subscriptions, orders and invoices, and change subscriptions."),
}

# What a broader permission also grants (Graph semantics: Directory.* covers the directory objects).
_IMPLIES = {
    "Directory.ReadWrite.All": {"Directory.Read.All", "User.ReadWrite.All", "User.Read.All", "Group.ReadWrite.All",
                                "Group.Read.All", "Domain.Read.All", "Organization.Read.All"},
    "Directory.Read.All": {"User.Read.All", "Group.Read.All", "Domain.Read.All", "Organization.Read.All"},
    "Organization.ReadWrite.All": {"Organization.Read.All"},
    "User.ReadWrite.All": {"User.Read.All"},
    "Group.ReadWrite.All": {"Group.Read.All"},
    "Domain.ReadWrite.All": {"Domain.Read.All"},
    "Billing.ReadWrite.All": {"Billing.Read.All"},
}


def effective_permissions(granted) -> frozenset[str]:
    """The granted permissions plus everything they imply."""
    result = set(granted)
    for permission in granted:
        result |= _IMPLIES.get(permission, set())
    return frozenset(result)


def unknown_permissions(names) -> list[str]:
    return sorted(set(names) - set(APPLICATION_PERMISSIONS))

# Graph's app-role ids for the same permissions, used in `requiredResourceAccess` so scripts that
# register apps the Graph way work unchanged.
GRAPH_RESOURCE_APP_ID = "00000003-0000-0000-c000-000000000000"
PERMISSION_IDS: dict[str, str] = {
    "Organization.Read.All": "498476ce-e0fe-48b0-b801-37ba7e2685c6",
    "Organization.ReadWrite.All": "292d869f-3427-49a8-9dab-8c70152b74e9",
    "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
    "User.ReadWrite.All": "741f803b-c850-494e-b5df-cde7c675a1ca",
    "Group.Read.All": "5b567255-7703-4780-807c-7be8301ae99b",
    "Group.ReadWrite.All": "62a82d76-70ea-41e2-9197-370581804d09",
    "Domain.Read.All": "dbb9058a-0e50-45d7-ae91-66909b5d4664",
    "Domain.ReadWrite.All": "7e05723c-0bb0-42da-be95-ae9f08a6e53c",
    "Directory.Read.All": "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
    "Directory.ReadWrite.All": "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
    "RoleManagement.ReadWrite.Directory": "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8",
    "AuditLog.Read.All": "b0afded3-3588-46d8-8b3d-9842eff778da",
    "Application.ReadWrite.All": "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
    "ServiceHealth.Read.All": "79c261e0-fe76-4144-aad5-bdc68fbe4037",
    # Our own permissions (Graph has none for billing): fixed ids of our choosing.
    "Billing.Read.All": "5d3b7a52-6f0e-4c39-9a51-3c2f7e0b8a11",
    "Billing.ReadWrite.All": "9c1e4f7d-2b8a-4d6e-8f3c-7a5b1e2d4c22",
}
PERMISSION_BY_ID = {value: key for key, value in PERMISSION_IDS.items()}

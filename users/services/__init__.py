"""Writes for users (DESIGN "services"): accounts, administrator roles and e-mail addresses.

Callers import from `users.services`; the modules behind it are accounts, roles and proxies.
"""

from users.services.accounts import (
    DETAIL_FIELDS,
    EDITABLE_FIELDS,
    alias_errors,
    build_upn,
    checked_upn,
    user_create,
    user_licenses_set,
    user_rename,
    user_update,
    users_set_sign_in,
)
from users.services.proxies import (
    address_owner,
    proxy_add,
    proxy_list,
    proxy_remove,
    proxy_set_primary,
)
from users.services.roles import can_assign_roles, can_manage, require_manage, role_assign, role_remove, roles_set

__all__ = [
    "DETAIL_FIELDS", "EDITABLE_FIELDS", "address_owner", "alias_errors", "build_upn", "can_assign_roles", "can_manage",
    "checked_upn", "proxy_add", "proxy_list", "proxy_remove", "proxy_set_primary", "require_manage", "role_assign",
    "role_remove", "roles_set", "user_create", "user_licenses_set", "user_rename", "user_update", "users_set_sign_in",
]

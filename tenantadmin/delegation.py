"""Delegated administration (SPEC billing/ "Partners"): a partner's people acting as administrators of a customer.

Billing owns the partner tables and every write to them. Core holds only what each request needs: which
roles a partner's person holds in a customer, and whether the partner may still act there. Both are read
through the reverse relations billing's models give `Tenant` (`partner_profile`, `delegated_admins`), so core
imports no app (DESIGN "Imports flow one way"): a string relation name is the whole coupling.
"""

import uuid
from dataclasses import dataclass

from tenantadmin.models import Tenant
from tenantadmin.roles import Role

# The session remembers whom a partner's person is managing: {"id": customer tenant id, "name": its name}.
# The name only lets the fallback message name the organization once access has ended.
ACTING_SESSION_KEY = "delegated_customer"
# billing.DelegatedAdminRelationship.Status.ACTIVE (core may not import billing to name it).
_ACTIVE = "active"


def delegated_role_codes(own_role_codes) -> frozenset[str]:
    """The roles a partner's person holds in a customer while acting for it, from their roles in the partner.

    This is the one mapping (SPEC billing/ "Partners": "the partner's people act as administrators of the
    customer"), modelled on the delegated-admin privileges partners have in Microsoft 365: the partner's
    global administrators act as Global administrator; its password and user management administrators act
    as Password administrator (the helpdesk: reset passwords of non-administrators, view users, support).
    A partner's billing or service administrators, and people without a role, do not act for customers.
    """
    own = set(own_role_codes)
    if Role.GLOBAL_ADMIN in own:
        return frozenset({Role.GLOBAL_ADMIN.value})
    if own & {Role.PASSWORD_ADMIN, Role.USER_ADMIN}:
        return frozenset({Role.PASSWORD_ADMIN.value})
    return frozenset()


def is_partner_organization(tenant) -> bool:
    """Whether the operator enrolled `tenant` as a partner. The sign-in backend loads the signed-in person's
    organization with its partner profile (one join), so for `request.user.tenant` this costs no query."""
    return tenant is not None and hasattr(tenant, "partner_profile")


def delegated_customer(*, partner, customer_id) -> Tenant | None:
    """The customer `customer_id` if `partner` is its active delegated administrator, else None (one query)."""
    try:
        customer_id = uuid.UUID(str(customer_id))
    except ValueError:
        return None
    return (Tenant.objects.filter(pk=customer_id, delegated_admins__partner=partner,
                                  delegated_admins__status=_ACTIVE)
            .exclude(pk=partner.pk).order_by().first())


@dataclass(frozen=True)
class Delegation:
    """A partner's person managing a customer in this request (`request.delegation`)."""

    customer: Tenant
    partner: Tenant
    role_codes: frozenset[str]


def act_with_roles(user, role_codes) -> None:
    """Make `user` (a User, or the request's lazy user) hold `role_codes` for the rest of this request or task.

    `User.role_codes` is a cached_property: an instance attribute of the same name replaces it, and every
    permission check (`admin_perms`, `is_global_admin`) reads it. Nothing is written to the database."""
    user.role_codes = frozenset(role_codes)

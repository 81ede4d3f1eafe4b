"""Factories that keep every related object inside the same organization."""

import itertools

from billing.catalog import ensure_default_plans
from billing.models import Sku
from tenantadmin.actors import Actor
from tenantadmin.roles import Role
from users.services import user_create
from users.signup import tenant_sign_up

PASSWORD = "Sunflower#26"
_counter = itertools.count(1)


def make_tenant(label: str | None = None, *, name: str | None = None, country: str = "US", plan: str | None = "ENTERPRISEPACK"):
    """An organization created through the real sign-up service; returns (tenant, global admin)."""
    # Transactional tests (browser, real worker) empty every table, the migrated plans included.
    ensure_default_plans(Sku)
    n = next(_counter)
    label = label or f"org{n}"
    return tenant_sign_up(
        organization_name=name or f"Organization {label}", country=country, preferred_language="en",
        first_name="Grace", last_name=f"Admin{n}", alternate_email=f"owner-{label}@example.net",
        initial_label=label, alias="admin", password=PASSWORD,
        plan=Sku.objects.get(part_number=plan) if plan else None, mail_welcome=False,
    )


def make_user(tenant, alias: str | None = None, *, roles=(), actor=None, **details):
    """A member of `tenant` on its initial domain with the shared test password."""
    alias = alias or f"user{next(_counter)}"
    if roles:
        details.setdefault("alternate_email", f"{alias}.alt@example.net")
    user, _password = user_create(
        tenant=tenant, actor=actor or Actor.system("tests"), alias=alias, domain=tenant.initial_domain,
        display_name=details.pop("display_name", alias.title()), password=PASSWORD, roles=roles, **details,
    )
    return user


ADMIN_ROLES = {
    "user_admin": Role.USER_ADMIN,
    "billing_admin": Role.BILLING_ADMIN,
    "password_admin": Role.PASSWORD_ADMIN,
    "service_admin": Role.SERVICE_ADMIN,
}

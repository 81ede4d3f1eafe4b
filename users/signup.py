"""Sign-up: one transaction that creates an organization, its initial domain, its first global
administrator and a trial, then mails a welcome after commit.

It lives in `users` because it is the lowest app allowed to import core, domains and billing.
"""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from billing.models import Sku
from billing.services import trial_start
from domains.services import domain_create_initial
from tenantadmin.actors import Actor
from tenantadmin.initial_domain import initial_domain_for
from tenantadmin.mail import mail_after_commit
from tenantadmin.roles import Role
from tenantadmin.services.organization import tenant_create
from users.services import user_create


@transaction.atomic
def tenant_sign_up(*, organization_name: str, country: str, preferred_language: str, first_name: str,
                   last_name: str, alternate_email: str, initial_label: str, alias: str, password: str,
                   plan: Sku | None, ip_address: str | None = None, mail_welcome: bool = True):
    """Create everything a new organization starts with; returns (tenant, admin user)."""
    domain_label = initial_label.strip().lower()
    # The admin does not exist yet when the organization is created; the first event names them.
    founder = Actor(kind="user", label=f"{alias.strip().lower()}@{initial_domain_for(domain_label)}",
                    ip_address=ip_address)
    tenant = tenant_create(name=organization_name, country=country, initial_label=initial_label,
                           preferred_language=preferred_language, actor=founder)
    domain_create_initial(tenant=tenant, actor=founder)
    display_name = f"{first_name} {last_name}".strip() or alias
    admin, _password = user_create(
        tenant=tenant, actor=founder, alias=alias, domain=tenant.initial_domain, display_name=display_name,
        password=password, first_name=first_name, last_name=last_name, alternate_email=alternate_email,
        # The sign-up form requires the address; an operator may provision without it (create_tenant).
        roles=[Role.GLOBAL_ADMIN], admin_contact_required=False,
    )
    actor = Actor.for_user(admin, ip_address)
    if plan is not None:
        trial_start(tenant=tenant, sku=plan, actor=actor)
    if mail_welcome and alternate_email:
        mail_after_commit(
            to=[alternate_email], subject=_("Welcome to %(org)s's admin center") % {"org": tenant.name},
            template="users/mail/welcome", language=preferred_language,
            context={"tenant": tenant, "user": admin, "signin_path": reverse("users:signin")},
            tenant=tenant, category="account",
        )
    return tenant, admin

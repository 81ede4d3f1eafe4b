"""Billing mail: to the organization's global and billing administrators (SPEC: lifecycle transitions are
mailed to the admins) or to the admin who placed an order. People are reached through the tenant's reverse
relation `users`, so billing does not import the users app."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tenantadmin.mail import mail_after_commit
from tenantadmin.roles import Role

BILLING_ROLES = (Role.GLOBAL_ADMIN, Role.BILLING_ADMIN)


def billing_admin_addresses(tenant) -> list[str]:
    """Alternate addresses of the live global and billing administrators."""
    return list(tenant.users.filter(deleted_at__isnull=True, role_assignments__role__in=BILLING_ROLES)
                .exclude(alternate_email="").values_list("alternate_email", flat=True).distinct().order_by())


def _subject(tenant, subject, params: dict) -> str:
    """The subject in the organization's language (a worker has no request language to go by)."""
    with translation.override(tenant.preferred_language or "en"):
        return str(subject) % params


def mail_billing_admins(tenant, *, subject, params: dict, template: str, context: dict) -> None:
    """`subject` is a lazy translation with %(name)s placeholders filled from `params`."""
    mail_after_commit(to=billing_admin_addresses(tenant), subject=_subject(tenant, subject, params), template=template,
                      context={"tenant": tenant, **context}, language=tenant.preferred_language, tenant=tenant,
                      category="service")


def mail_order(order, *, to: list[str]) -> None:
    """The order receipt (and, for invoices, the note that the invoice is ready)."""
    subject = _subject(order.tenant, _("Your order %(number)s"), {"number": order.number})
    mail_after_commit(to=to or billing_admin_addresses(order.tenant), subject=subject, template="billing/mail/order",
                      context={"order": order, "lines": list(order.lines.all()), "tenant": order.tenant},
                      language=order.tenant.preferred_language, tenant=order.tenant, category="service")

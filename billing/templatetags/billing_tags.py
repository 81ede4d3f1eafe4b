"""Money in the currency's own decimals, and the admins' banner about expired or disabled subscriptions."""

from django import template

from billing.catalog import format_money
from billing.selectors import banner_items
from tenantadmin.roles import Perm

register = template.Library()


@register.filter
def money(amount, currency):
    if amount is None or amount == "":
        return "—"
    return format_money(amount, currency)


@register.inclusion_tag("billing/banner.html", takes_context=True)
def billing_banner(context):
    """Only for admins who handle billing (SPEC: banners for admins during the grace period); cached."""
    request = context.get("request")
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    if tenant is None or user is None or not user.is_authenticated or Perm.BILLING_READ not in user.admin_perms:
        return {"attention": []}
    return {"attention": banner_items(tenant=tenant)}

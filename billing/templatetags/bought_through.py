"""For pages outside billing (the Support overview): whom the organization buys through.

    {% load bought_through %}
    {% bought_through_notice %}                 the notice with the partner's contact, or nothing
    {% bought_through_partner as partner %}     the PartnerProfile (partner.tenant.name, support_*) or None

Both read the cached subscription digest (`billing.selectors.billing_partner`): no query on a warm page.
"""

from django import template

from billing.selectors import billing_partner

register = template.Library()


def _partner(context):
    tenant = getattr(context.get("request"), "tenant", None)
    return billing_partner(tenant=tenant) if tenant is not None else None


@register.simple_tag(takes_context=True)
def bought_through_partner(context):
    return _partner(context)


@register.inclusion_tag("billing/_partner_notice_optional.html", takes_context=True)
def bought_through_notice(context):
    return {"partner": _partner(context)}

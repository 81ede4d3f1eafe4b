"""The Support overview's help-topic search and phone numbers (the page itself is billing's partner view)."""

from django import template

from support.request_help_data import phone_numbers, search_topics

register = template.Library()


@register.inclusion_tag("support/overview_help.html", takes_context=True)
def support_overview_help(context):
    request = context["request"]
    query = (request.GET.get("q") or "").strip()[:200]
    tenant = request.tenant
    country = tenant.country.code if tenant is not None and tenant.country else ""
    return {"query": query, "topics": search_topics(query), "phones": phone_numbers(country),
            "own_country": country, "request": request}

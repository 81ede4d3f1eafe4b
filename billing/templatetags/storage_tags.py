"""Storage figures in templates: `{{ figure|gb }}` → "10 GB", `{{ subscription|storage_of }}` → the storage its
licenses or add-on units add to the organization's quota."""

from django import template

from billing.catalog import format_storage

register = template.Library()


@register.filter
def gb(value):
    if value is None or value == "":
        return "—"
    return format_storage(value)


@register.filter
def storage_of(subscription):
    """The storage a subscription (or a cart item: anything with `sku` and `quantity`) adds."""
    return format_storage(subscription.sku.storage_gb_for(subscription.quantity))

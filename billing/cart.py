"""The purchase cart and the checkout wizard's state, kept in the admin's session (nothing is bought until
the order is placed, so there is nothing to clean up in the database when a cart is abandoned)."""

import uuid

from billing.models import Sku, Subscription
from billing.services import CartItem

CART = "billing_cart"
CHECKOUT = "billing_checkout"


def cart_items(request) -> list[CartItem]:
    """The cart's plans, dropping those that are gone or no longer offered, and trials no longer convertible."""
    raw = request.session.get(CART, [])
    skus = {str(sku.pk): sku for sku in Sku.objects.filter(pk__in=[entry["sku"] for entry in raw], is_offered=True)}
    trial_ids = [entry["convert"] for entry in raw if entry.get("convert")]
    trials = {str(s.pk): s for s in Subscription.objects.filter(tenant=request.tenant, pk__in=trial_ids, is_trial=True)}
    items = []
    for entry in raw:
        sku = skus.get(entry["sku"])
        convert = trials.get(entry["convert"]) if entry.get("convert") else None
        if sku is None or (entry.get("convert") and convert is None):
            continue
        items.append(CartItem(sku=sku, quantity=int(entry.get("quantity", 1)), convert=convert))
    return items


def cart_save(request, items: list[CartItem]) -> None:
    request.session[CART] = [{"sku": str(item.sku.pk), "quantity": item.quantity,
                              "convert": str(item.convert.pk) if item.convert else None} for item in items]
    request.session.pop(CHECKOUT, None)  # a changed cart is reviewed again


def cart_add(request, sku: Sku, quantity: int = 1, convert: Subscription | None = None) -> None:
    items = [item for item in cart_items(request) if item.sku.pk != sku.pk]
    items.append(CartItem(sku=sku, quantity=quantity, convert=convert))
    cart_save(request, items)


def cart_clear(request) -> None:
    request.session.pop(CART, None)
    request.session.pop(CHECKOUT, None)


def checkout_state(request) -> dict:
    state = request.session.get(CHECKOUT)
    if not state:
        # One key per checkout: placing the order twice (a double click, a resubmitted form) finds this key.
        state = {"key": uuid.uuid4().hex}
        request.session[CHECKOUT] = state
    return state


def checkout_update(request, **values) -> dict:
    state = {**checkout_state(request), **values}
    request.session[CHECKOUT] = state
    return state

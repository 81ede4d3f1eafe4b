"""Writes on running subscriptions: licenses up or down (prorated), payment details, partner of record,
cancel and reactivate. Each locks the subscription row first (SELECT … FOR UPDATE), so two admins changing
the same subscription at once run one after the other and the second sees the first's result."""

import math
import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing import gateway as gateways
from billing.access import ensure_billing_writable
from billing.models import Order, PaymentMethod, Subscription
from billing.notify import mail_billing_admins, mail_order
from billing.pricing import Quote, catalog_price, new_quote, prorated_line, term_line
from billing.catalog import format_storage
from billing.selectors import add_ons_depending_on, banner_forget, storage_summary
from billing.services import (
    Payment, check_add_on_base, mark_sold_through, order_place, replayed_order, seats_check, term_end,
)
from tenantadmin.actors import Actor
from tenantadmin.services.audit import audit_record

PARTNER_ID = re.compile(r"^\d{4,10}$")


def _locked(subscription: Subscription) -> Subscription:
    return Subscription.objects.select_for_update(of=("self",)).select_related("sku", "payment_method").get(
        pk=subscription.pk, tenant=subscription.tenant)


def _changeable(subscription: Subscription) -> None:
    if subscription.is_trial:
        raise ValidationError(_("A trial has a fixed number of licenses. Use Buy now to choose how many you need."),
                              code="trial")
    if subscription.status != Subscription.Status.ENABLED:
        raise ValidationError(_("Only an active subscription can be changed."), code="not_active")
    _has_term(subscription)


def _has_term(subscription: Subscription) -> None:
    # Subscriptions created outside the checkout (operator seeding) may lack a term until support sets one.
    if subscription.ends_at is None:
        raise ValidationError(_("This subscription has no billing term yet. Contact support to change it."),
                              code="no_term")


def quantity_quote(*, subscription: Subscription, new_quantity: int, now=None) -> Quote:
    """The proration preview: what changing to `new_quantity` costs (or credits) for the rest of the term."""
    now = now or timezone.now()
    _changeable(subscription)
    add_on = subscription.sku.is_add_on
    if new_quantity == subscription.quantity:
        if add_on:
            raise ValidationError(_("Enter a number different from the current %(n)s units.") % {"n": subscription.quantity},
                                  code="unchanged")
        raise ValidationError(_("Enter a number different from the current %(n)s licenses.") % {"n": subscription.quantity},
                              code="unchanged")
    if new_quantity > subscription.quantity:
        seats_check(subscription.tenant, subscription.sku, new_quantity, exclude=subscription)
        check_add_on_base(subscription.tenant, subscription.sku)  # more storage needs a base plan to use it with
    elif new_quantity < 1:
        if add_on:
            raise ValidationError(_("Keep at least one unit, or cancel the add-on."), code="quantity")
        raise ValidationError(_("Keep at least one license, or cancel the subscription."), code="quantity")
    else:
        storage_decrease_check(subscription, new_quantity)
    country = (subscription.service_address or {}).get("country") or subscription.tenant.country.code
    quote = new_quote(subscription.tenant, country)
    if subscription.currency:
        quote.currency = subscription.currency
    prorated_line(quote, subscription, new_quantity, now)
    return quote


def storage_decrease_check(subscription: Subscription, new_quantity: int) -> None:
    """Fewer licenses or add-on units lower the organization's storage quota: refused when the quota would fall
    below the storage in use (SPEC billing/ "change quantity of licenses or storage")."""
    lost = subscription.sku.storage_gb_for(subscription.quantity - new_quantity)
    if lost <= 0:
        return
    storage = storage_summary(tenant=subscription.tenant)
    after = storage.total_gb - lost
    if after >= storage.in_use_gb:
        return
    per = subscription.sku.storage_gb_for(1)
    others = storage.total_gb - subscription.sku.storage_gb_for(subscription.quantity)
    keep = max(math.ceil((storage.in_use_gb - others) / per), 1) if per else subscription.quantity
    raise ValidationError(
        _("Your organization uses %(used)s of storage; with %(n)s the quota would be %(after)s. Free up storage first, "
          "or keep at least %(keep)s.") % {"used": format_storage(storage.in_use_gb), "n": new_quantity,
                                           "after": format_storage(after), "keep": keep},
        code="storage_in_use")


@transaction.atomic
def quantity_change(*, subscription: Subscription, new_quantity: int, actor: Actor, conflict_confirmed: bool = False,
                    idempotency_key: str = "", now=None) -> Order:
    """Change the number of licenses, charging (or crediting) the prorated rest of the term with the
    subscription's payment method. A decrease needs `conflict_confirmed`: users over the new total are left
    in a license conflict. Card: the licenses are there at once; a credit check: after the check."""
    now = now or timezone.now()
    subscription = _locked(subscription)
    ensure_billing_writable(tenant=subscription.tenant, actor=actor)
    existing = replayed_order(subscription.tenant, idempotency_key)
    if existing is not None:
        return existing
    # An add-on is held by the organization, not by users: fewer units cannot leave anyone in a license conflict.
    if new_quantity < subscription.quantity and not conflict_confirmed and not subscription.sku.is_add_on:
        raise ValidationError(_("Confirm the decrease: users who hold more licenses than the new total are left in a "
                                "license conflict until you remove licenses from them."), code="confirm_decrease")
    quote = quantity_quote(subscription=subscription, new_quantity=new_quantity, now=now)
    payment = None
    if quote.total > 0:
        method = subscription.payment_method
        if method is None or method.removed_at is not None:
            raise ValidationError(_("Add a payment method to this subscription first."), code="no_payment_method")
        payment = Payment(kind=method.kind, method=method)
    order = order_place(tenant=subscription.tenant, actor=actor, kind=Order.Kind.QUANTITY, quote=quote, payment=payment,
                        now=now, idempotency_key=idempotency_key, partner_id=subscription.partner_id,
                        service_address=subscription.service_address)
    if order.status == Order.Status.COMPLETED:
        apply_quantity_lines(order=order, actor=actor)
    mail_order(order, to=[actor.user.alternate_email] if actor.user is not None and actor.user.alternate_email else [])
    return order


def apply_quantity_lines(*, order: Order, actor: Actor) -> None:
    for line in order.lines.select_related("subscription"):
        subscription = line.subscription
        before = subscription.quantity
        subscription.quantity = line.target_quantity
        subscription.save(update_fields=["quantity"])
        audit_record(tenant=order.tenant, actor=actor, action="subscription.quantity", target=subscription,
                     changes={"quantity": [before, subscription.quantity], "order": [None, order.number]})
        mark_sold_through(subscription=subscription, order=order, actor=actor)
    # Fewer units may leave users in a license conflict (more units may end one): the banners must show it now.
    banner_forget(order.tenant_id)


@transaction.atomic
def card_add(*, tenant, actor: Actor, number: str, exp_month: int, exp_year: int, cvc: str, holder_name: str,
             now=None) -> PaymentMethod:
    """Add a card after the gateway verified it (a zero charge); only brand, last four and expiry are kept."""
    now = now or timezone.now()
    ensure_billing_writable(tenant=tenant, actor=actor)
    card = gateways.gateway().tokenize(number=number, exp_month=exp_month, exp_year=exp_year, cvc=cvc, today=now.date())
    result = gateways.gateway().charge(token=card.token, amount=0, currency="", idempotency_key=f"verify-{card.token}")
    if result.status == gateways.DECLINED:
        raise gateways.CardError(_("The card was declined: %(reason)s") % {"reason": result.message}, "number")
    method = PaymentMethod.objects.create(
        tenant=tenant, kind=PaymentMethod.Kind.CARD, brand=card.brand, last4=card.last4, exp_month=card.exp_month,
        exp_year=card.exp_year, gateway_token=card.token, holder_name=holder_name[:120], created_by=actor.user)
    audit_record(tenant=tenant, actor=actor, action="payment_method.add", target=method,
                 changes={"card": [None, str(method)]})
    return method


def card_editable_by(method: PaymentMethod, user) -> bool:
    """Only the admin who added a card may edit it (SPEC); others may add another card."""
    return method.kind == PaymentMethod.Kind.CARD and method.created_by_id is not None and method.created_by_id == user.pk


@transaction.atomic
def card_update(*, method: PaymentMethod, actor: Actor, exp_month: int, exp_year: int, holder_name: str,
                now=None) -> PaymentMethod:
    """New expiry date or name on the card (the number never changes: a new card is a new method)."""
    now = now or timezone.now()
    method = PaymentMethod.objects.select_for_update().get(pk=method.pk, tenant=method.tenant)
    ensure_billing_writable(tenant=method.tenant, actor=actor)
    if actor.user is None or not card_editable_by(method, actor.user):
        raise PermissionDenied(_("Only the administrator who added this card can change it."))
    if not 1 <= exp_month <= 12 or (exp_year, exp_month) < (now.year, now.month):
        raise ValidationError({"exp_year": _("Enter an expiry date in the future.")})
    before = str(method)
    method.exp_month, method.exp_year, method.holder_name = exp_month, exp_year, holder_name[:120]
    method.save(update_fields=["exp_month", "exp_year", "holder_name"])
    audit_record(tenant=method.tenant, actor=actor, action="payment_method.update", target=method,
                 changes={"card": [before, str(method)]})
    return method


@transaction.atomic
def subscription_payment_change(*, subscription: Subscription, method: PaymentMethod, actor: Actor) -> Subscription:
    """Pay a subscription with another method. A card only takes over once a charge through it succeeds
    (a verification charge now); a declined card changes nothing."""
    subscription = _locked(subscription)
    ensure_billing_writable(tenant=subscription.tenant, actor=actor)
    # Locked after the subscription (the order card_remove keeps too): a card removed meanwhile is seen here.
    method = PaymentMethod.objects.select_for_update().filter(pk=method.pk, tenant_id=subscription.tenant_id).first()
    if method is None or method.removed_at is not None:
        raise ValidationError(_("Choose one of your organization's payment methods."), code="method")
    if method.kind == PaymentMethod.Kind.CARD:
        result = gateways.gateway().charge(token=method.gateway_token, amount=0, currency=subscription.currency,
                                           idempotency_key=f"verify-{subscription.pk}-{method.pk}")
        if result.status == gateways.DECLINED:
            raise ValidationError(_("The card was declined: %(reason)s The subscription keeps its current payment method.")
                                  % {"reason": result.message}, code="card_declined")
    before = str(subscription.payment_method) if subscription.payment_method else None
    subscription.payment_method = method
    subscription.save(update_fields=["payment_method"])
    audit_record(tenant=subscription.tenant, actor=actor, action="subscription.payment_method", target=subscription,
                 changes={"payment_method": [before, str(method)]})
    return subscription


@transaction.atomic
def partner_set(*, subscription: Subscription, partner_id: str, actor: Actor) -> Subscription:
    """Add, change or (with an empty ID) remove the partner of record."""
    subscription = _locked(subscription)
    ensure_billing_writable(tenant=subscription.tenant, actor=actor)
    partner_id = (partner_id or "").strip()
    if partner_id and not PARTNER_ID.match(partner_id):
        raise ValidationError({"partner_id": _("A partner ID is 4 to 10 digits.")})
    if partner_id == subscription.partner_id:
        return subscription
    before = subscription.partner_id
    subscription.partner_id = partner_id
    subscription.save(update_fields=["partner_id"])
    audit_record(tenant=subscription.tenant, actor=actor, action="subscription.partner", target=subscription,
                 changes={"partner_id": [before or None, partner_id or None]})
    return subscription


def cancellation_dates(subscription: Subscription) -> dict:
    """When a cancellation takes effect (the end of the term) and when the data is deleted."""
    effective = subscription.ends_at
    return {"effective": effective,
            "data_deleted": effective + timedelta(days=settings.BILLING_DATA_RETENTION_DAYS) if effective else None}


@transaction.atomic
def subscription_cancel(*, subscription: Subscription, reason: str, actor: Actor, now=None) -> Subscription:
    """Cancel at the next billing cycle; until then it can be reactivated (SPEC billing/ "Cancel")."""
    now = now or timezone.now()
    subscription = _locked(subscription)
    ensure_billing_writable(tenant=subscription.tenant, actor=actor)
    if subscription.status != Subscription.Status.ENABLED or subscription.is_cancelled:
        raise ValidationError(_("Only an active subscription that is not already cancelled can be cancelled."), code="state")
    _has_term(subscription)
    if not reason.strip():
        raise ValidationError({"reason": _("Tell us why you cancel.")})
    # Add-ons this plan is the last base of go with it (the cancel page lists them): storage bought for a plan that
    # ends would be paid for and unusable. Read before the plan is marked cancelled; locked in pk order, after it.
    add_ons = sorted(add_ons_depending_on(subscription), key=lambda add_on: str(add_on.pk))
    _mark_cancelled(subscription, reason.strip()[:300], actor, now)
    for add_on in add_ons:
        add_on = _locked(add_on)
        if add_on.status == Subscription.Status.ENABLED and not add_on.is_cancelled and add_on.ends_at is not None:
            _mark_cancelled(add_on, (_("Cancelled with %(plan)s") % {"plan": subscription.sku.name})[:300], actor, now)
    return subscription


def _mark_cancelled(subscription: Subscription, reason: str, actor: Actor, now) -> None:
    subscription.cancel_requested_at, subscription.cancel_reason, subscription.auto_renew = now, reason, False
    subscription.save(update_fields=["cancel_requested_at", "cancel_reason", "auto_renew"])
    dates = cancellation_dates(subscription)
    audit_record(tenant=subscription.tenant, actor=actor, action="subscription.cancel", target=subscription,
                 changes={"effective": [None, dates["effective"].isoformat()], "reason": [None, subscription.cancel_reason]})
    mail_billing_admins(subscription.tenant, subject=gettext_lazy("%(plan)s is cancelled"),
                        params={"plan": subscription.sku.name}, template="billing/mail/cancelled",
                        context={"subscription": subscription, **dates})


@transaction.atomic
def subscription_reactivate(*, subscription: Subscription, actor: Actor) -> Subscription:
    """Undo a cancellation before it takes effect."""
    subscription = _locked(subscription)
    ensure_billing_writable(tenant=subscription.tenant, actor=actor)
    if not subscription.is_cancelled or subscription.status != Subscription.Status.ENABLED:
        raise ValidationError(_("Only a cancelled subscription that is still active can be reactivated. After the "
                                "cancellation took effect, contact support (within 90 days)."), code="state")
    check_add_on_base(subscription.tenant, subscription.sku)  # reactivate the base plan first
    subscription.cancel_requested_at, subscription.cancel_reason, subscription.auto_renew = None, "", True
    subscription.save(update_fields=["cancel_requested_at", "cancel_reason", "auto_renew"])
    audit_record(tenant=subscription.tenant, actor=actor, action="subscription.reactivate", target=subscription,
                 changes={"cancelled": [True, False]})
    return subscription


def pending_renewal(subscription: Subscription) -> Order | None:
    """A renewal of `subscription` still waiting for its credit check."""
    return (Order.objects.filter(tenant_id=subscription.tenant_id, kind=Order.Kind.RENEWAL, status=Order.Status.CREDIT_CHECK,
                                 lines__subscription=subscription).order_by("-placed_at").first())


def renewal_start_term(*, subscription: Subscription, order: Order, actor: Actor, now) -> None:
    """A paid renewal of an expired (or, after a long credit check, disabled) subscription: Active again for a year
    from `now` at the renewal order's price. The caller holds the subscription's row lock."""
    line = order.lines.filter(subscription=subscription).first()
    before = subscription.status
    values = {"status": Subscription.Status.ENABLED, "status_reason": "", "status_changed_at": now, "term_started_at": now,
              "ends_at": term_end(now), "auto_renew": True}
    if line is not None:
        values["unit_price"] = line.unit_price
    for field, value in values.items():
        setattr(subscription, field, value)
    subscription.save(update_fields=list(values))
    banner_forget(subscription.tenant_id)
    audit_record(tenant=subscription.tenant, actor=actor, action="subscription.renew", target=subscription,
                 changes={"status": [before, subscription.status], "order": [None, order.number]})
    mark_sold_through(subscription=subscription, order=order, actor=actor)


@transaction.atomic
def subscription_renew(*, subscription: Subscription, actor: Actor, idempotency_key: str = "", now=None) -> Order:
    """Renew an expired (Warning) paid subscription for a new year from today with its payment method, at the
    catalog's current price; it is Active again once the charge succeeds. When the payment needs a credit check
    (an invoice above the credit limit, a card the bank reviews) the order waits and the subscription stays in its
    grace period, usable, until the answer; approved, its new year starts then. Trials use Buy now instead."""
    now = now or timezone.now()
    subscription = _locked(subscription)
    ensure_billing_writable(tenant=subscription.tenant, actor=actor)
    existing = replayed_order(subscription.tenant, idempotency_key)
    if existing is not None:
        return existing
    if subscription.is_trial or subscription.status != Subscription.Status.WARNING:
        raise ValidationError(_("Only an expired paid subscription can be renewed here; use Buy now for a trial."),
                              code="state")
    check_add_on_base(subscription.tenant, subscription.sku)  # storage is renewed for a base plan that runs
    waiting = pending_renewal(subscription)
    if waiting is not None:
        raise ValidationError(_("The renewal in order %(number)s already waits for a credit check; you get an e-mail "
                                "with the answer.") % {"number": waiting.number}, code="renewal_pending")
    method = subscription.payment_method
    if method is None or method.removed_at is not None:
        raise ValidationError(_("Choose a payment method for this subscription first."), code="no_payment_method")
    country = (subscription.service_address or {}).get("country") or subscription.tenant.country.code
    quote = new_quote(subscription.tenant, country)
    quote.currency = subscription.currency or quote.currency
    price = catalog_price(subscription.sku, quote.currency)
    term_line(quote, subscription.sku, subscription.quantity, unit_price=price, subscription=subscription)
    order = order_place(tenant=subscription.tenant, actor=actor, kind=Order.Kind.RENEWAL, quote=quote,
                        payment=Payment(kind=method.kind, method=method), now=now, idempotency_key=idempotency_key,
                        partner_id=subscription.partner_id, service_address=subscription.service_address)
    if order.status == Order.Status.COMPLETED:
        renewal_start_term(subscription=subscription, order=order, actor=actor, now=now)
    mail_order(order, to=[actor.user.alternate_email] if actor.user is not None and actor.user.alternate_email else [])
    return order


# --- Removing a card ----------------------------------------------------------------------------------------

def card_removable_by(method: PaymentMethod, user) -> bool:
    """The admin who added a card, or a global admin, may remove it."""
    if method.kind != PaymentMethod.Kind.CARD or method.removed_at is not None or user is None:
        return False
    return (method.created_by_id is not None and method.created_by_id == user.pk) or user.is_global_admin


def card_users(method: PaymentMethod) -> tuple[list[Subscription], list[Subscription]]:
    """(subscriptions that renew automatically with the card — it cannot be removed while there is one —, the other
    subscriptions paid with it, which are left without a payment method when it goes)."""
    paid = (Subscription.objects.filter(tenant_id=method.tenant_id, payment_method_id=method.pk)
            .exclude(status=Subscription.Status.DELETED).select_related("sku").order_by("created_at", "pk"))
    renewing, others = [], []
    for subscription in paid:
        active = subscription.status == Subscription.Status.ENABLED and subscription.auto_renew
        (renewing if active else others).append(subscription)
    return renewing, others


@transaction.atomic
def card_remove(*, method: PaymentMethod, actor: Actor, now=None) -> PaymentMethod:
    """Remove a card: it is no longer offered or charged, the gateway forgets it after the commit, and subscriptions
    that were paid with it without renewing automatically are left without a payment method. Refused while an active,
    auto-renewing subscription pays with it. Past orders keep the card's brand and last four digits."""
    now = now or timezone.now()
    # Lock order as everywhere in billing: the subscriptions first, then the card.
    list(Subscription.objects.select_for_update(of=("self",)).filter(tenant_id=method.tenant_id, payment_method_id=method.pk)
         .order_by("pk").values_list("pk", flat=True))
    method = PaymentMethod.objects.select_for_update().select_related("tenant").get(pk=method.pk, tenant_id=method.tenant_id)
    ensure_billing_writable(tenant=method.tenant, actor=actor)
    if method.kind != PaymentMethod.Kind.CARD or method.removed_at is not None:
        raise ValidationError(_("This card was already removed."), code="removed")
    if actor.user is None or not card_removable_by(method, actor.user):
        raise PermissionDenied(_("Only the administrator who added this card or a global administrator can remove it."))
    renewing, others = card_users(method)
    if renewing:
        raise ValidationError(
            _("%(plans)s renew automatically with this card. Choose another payment method for them first.")
            % {"plans": ", ".join(subscription.sku.name for subscription in renewing)}, code="in_use")
    label, token = str(method), method.gateway_token
    for subscription in others:
        subscription.payment_method = None
        subscription.save(update_fields=["payment_method"])
        audit_record(tenant=method.tenant, actor=actor, action="subscription.payment_method", target=subscription,
                     changes={"payment_method": [label, None]})
    method.removed_at, method.gateway_token = now, ""
    method.save(update_fields=["removed_at", "gateway_token"])
    audit_record(tenant=method.tenant, actor=actor, action="payment_method.remove", target=method,
                 changes={"card": [label, None]})
    if token:
        transaction.on_commit(lambda: gateways.gateway().forget_card(token=token))
    return method

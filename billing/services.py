"""Writes for purchases: trials, checkout (orders, payment, invoices) and the shared order machinery.

Changes to running subscriptions are in billing/subscription_services.py and the periodic lifecycle in
billing/lifecycle.py; they place orders through `order_place` here.

Lock order, everywhere: the subscription rows first, then the organization's InvoiceCounter row. The
counter row serializes the orders of one organization, which is what makes invoice numbers gapless and
a double-submitted checkout (same idempotency key) find the first order instead of placing another.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import gateway as gateways
from billing.access import ensure_billing_writable, selling_partner
from billing.catalog import EMBARGOED_COUNTRIES
from billing.models import InvoiceCounter, Order, OrderLine, PaymentMethod, Sku, Subscription
from billing.notify import mail_order
from billing.pricing import Quote, new_quote, term_line
from billing.selectors import active_base_plan_parts, banner_forget, plan_names
from tenantadmin.actors import Actor
from tenantadmin.services.audit import audit_record

LIVE = (Subscription.Status.ENABLED, Subscription.Status.WARNING)


def term_end(start):
    """One year after `start`, on the same day (29 February renews on 28 February)."""
    try:
        return start.replace(year=start.year + 1)
    except ValueError:
        return start.replace(year=start.year + 1, day=28)


def _country(tenant) -> str:
    return tenant.country.code if hasattr(tenant.country, "code") else str(tenant.country)


def check_plan_allowed(tenant, sku: Sku) -> None:
    if _country(tenant) in EMBARGOED_COUNTRIES:
        raise ValidationError(_("Plans cannot be used in %(country)s.") % {"country": tenant.country.name},
                              code="embargoed")


def check_add_on_base(tenant, sku: Sku, *, with_plans=()) -> None:
    """An add-on can only be bought (or grown, renewed, reactivated) while the organization has an active paid
    subscription of one of the base plans it needs, or buys one in the same order (`with_plans`)."""
    if not sku.is_add_on:
        return
    held = active_base_plan_parts(tenant=tenant) | {plan.part_number for plan in with_plans if not plan.is_add_on}
    if held & set(sku.requires_one_of):
        return
    raise ValidationError(
        _("%(plan)s needs an active paid subscription of one of these plans: %(plans)s. Buy one of them first, or add "
          "it to the same order.") % {"plan": sku.name, "plans": ", ".join(plan_names(sku.requires_one_of))},
        code="add_on_requires_base")


@transaction.atomic
def trial_start(*, tenant, sku: Sku, actor: Actor, now=None) -> Subscription:
    """A free trial of `sku` for TRIAL_DAYS with the plan's trial licenses. Another plan's running trial
    is left alone; a second trial of the same plan is refused."""
    now = now or timezone.now()
    ensure_billing_writable(tenant=tenant, actor=actor)
    check_plan_allowed(tenant, sku)
    if not sku.trial_available or sku.is_add_on:
        raise ValidationError(_("%(plan)s has no free trial.") % {"plan": sku.name}, code="no_trial")
    if Subscription.objects.filter(tenant=tenant, sku=sku).exclude(status=Subscription.Status.DELETED).exists():
        raise ValidationError(_("Your organization already has %(plan)s; a trial is only for plans you do not have yet.")
                              % {"plan": sku.name}, code="trial_exists")
    subscription = Subscription.objects.create(
        tenant=tenant, sku=sku, is_trial=True, quantity=sku.trial_units, term_started_at=now,
        ends_at=now + timedelta(days=settings.TRIAL_DAYS), status_changed_at=now,
    )
    banner_forget(tenant.pk)  # the plan's licenses work again if an old subscription of it was disabled
    audit_record(tenant=tenant, actor=actor, action="subscription.trial_start", target=subscription,
                 changes={"plan": [None, sku.part_number], "quantity": [None, subscription.quantity]})
    return subscription


@dataclass
class Payment:
    """How an order is paid: an existing method, a new card (a gateway reference, never the number), or an
    invoice with an optional PO number."""

    kind: str  # PaymentMethod.Kind
    method: PaymentMethod | None = None
    new_card: gateways.CardReference | None = None
    holder_name: str = ""
    po_number: str = ""


def invoice_method(tenant) -> PaymentMethod:
    """The organization's one 'pay by invoice' method."""
    method = PaymentMethod.objects.filter(tenant=tenant, kind=PaymentMethod.Kind.INVOICE, removed_at__isnull=True).first()
    return method or PaymentMethod.objects.create(tenant=tenant, kind=PaymentMethod.Kind.INVOICE)


def _lock_counter(tenant) -> InvoiceCounter:
    InvoiceCounter.objects.bulk_create([InvoiceCounter(tenant=tenant)], ignore_conflicts=True)
    return InvoiceCounter.objects.select_for_update().get(tenant=tenant)


def replayed_order(tenant, idempotency_key: str) -> Order | None:
    if not idempotency_key:
        return None
    return Order.objects.filter(tenant=tenant, idempotency_key=idempotency_key).first()


def order_place(*, tenant, actor: Actor, kind: str, quote: Quote, payment: Payment | None, now,
                idempotency_key: str = "", partner_id: str = "", service_address: dict | None = None,
                counter: InvoiceCounter | None = None) -> Order:
    """Charge `quote` and record the order with the next invoice number (call inside a transaction, with
    the subscriptions already locked). A declined card raises ValidationError: the caller's transaction
    rolls back and nothing is kept. Returns the order; its status says whether it waits for a credit check.

    Placed by a partner's person acting as delegated administrator, the order is a sale through that partner
    (`placed_by_partner`; its partner ID is the partner of record unless another was given): its subscriptions get
    the partner as reseller when the order takes effect (`mark_sold_through`)."""
    counter = counter or _lock_counter(tenant)
    partner = selling_partner(actor)
    if partner is not None and not partner_id:
        partner_id = partner.partner_id
    total = quote.total
    status = Order.Status.COMPLETED
    method, reference, due_at, paid_at = None, "", None, None
    if payment is not None and total > 0:
        if payment.kind == PaymentMethod.Kind.INVOICE:
            method = payment.method or invoice_method(tenant)
            verdict = gateways.gateway().credit_check(tenant_id=tenant.pk, amount=total, currency=quote.currency)
            if verdict != gateways.SUCCEED:
                status = Order.Status.CREDIT_CHECK
            due_at = now + timedelta(days=settings.BILLING_INVOICE_TERMS_DAYS)
        else:
            token = payment.new_card.token if payment.new_card else payment.method.gateway_token
            # The key makes a retried charge (a re-run after a crash) never charge twice.
            key = idempotency_key or f"{kind}-{tenant.pk}-{counter.last_number + 1}"
            result = gateways.gateway().charge(token=token, amount=total, currency=quote.currency, idempotency_key=key)
            if result.status == gateways.DECLINED:
                raise ValidationError(_("The card was declined: %(reason)s Nothing was charged and nothing changed. "
                                        "Use another card or pay by invoice.") % {"reason": result.message},
                                      code="card_declined")
            if result.status == gateways.CREDIT_CHECK:
                status = Order.Status.CREDIT_CHECK
            else:
                paid_at = now
            reference = result.reference
            method = payment.method or _card_from_reference(tenant, actor, payment)
    elif payment is not None and payment.kind == PaymentMethod.Kind.CARD and payment.new_card:
        method = _card_from_reference(tenant, actor, payment)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    order = Order.objects.create(
        tenant=tenant, kind=kind, status=status, number=counter.last_number, idempotency_key=idempotency_key,
        placed_by=actor.user, placed_by_label=actor.label[:300], placed_at=now, currency=quote.currency,
        subtotal=quote.subtotal, tax_rate=quote.tax_rate, tax=quote.tax, total=total,
        payment_kind=(payment.kind if payment else ""), payment_method=method, payment_label=str(method) if method else "",
        gateway_reference=reference, po_number=(payment.po_number if payment else ""), partner_id=partner_id,
        placed_by_partner=partner.tenant if partner is not None else None,
        service_address=service_address or {}, due_at=due_at, paid_at=paid_at,
    )
    OrderLine.objects.bulk_create([
        OrderLine(tenant=tenant, order=order, subscription=line.subscription, sku=line.sku, description=line.description[:200],
                  quantity=line.quantity, target_quantity=line.target_quantity, unit_price=line.unit_price,
                  months=line.months, amount=line.amount)
        for line in quote.lines
    ])
    changes = {"total": [None, f"{total} {quote.currency}"], "status": [None, status],
               "lines": [None, [f"{line.sku.part_number} {line.quantity:+d}" for line in quote.lines]]}
    if partner is not None:
        changes["placed_by_partner"] = [None, partner.partner_id]
    audit_record(tenant=tenant, actor=actor, action=f"order.{kind}", target=order, changes=changes)
    return order


def mark_sold_through(*, subscription: Subscription, order: Order, actor: Actor) -> None:
    """A subscription an order placed by a partner took effect on is sold through that partner (its reseller; its
    partner of record too when it had none). From then on the organization's own admins cannot change billing."""
    if order.placed_by_partner_id is None or subscription.reseller_id == order.placed_by_partner_id:
        return
    changes = {"reseller": [str(subscription.reseller_id) if subscription.reseller_id else None,
                            str(order.placed_by_partner_id)], "order": [None, order.number]}
    if not subscription.partner_id and order.partner_id:
        changes["partner_id"] = [None, order.partner_id]
        subscription.partner_id = order.partner_id
    subscription.reseller_id = order.placed_by_partner_id
    subscription.save(update_fields=["reseller", "partner_id"])
    banner_forget(subscription.tenant_id)
    audit_record(tenant=order.tenant, actor=actor, action="subscription.reseller", target=subscription, changes=changes)


def _card_from_reference(tenant, actor: Actor, payment: Payment) -> PaymentMethod:
    card = payment.new_card
    return PaymentMethod.objects.create(
        tenant=tenant, kind=PaymentMethod.Kind.CARD, brand=card.brand, last4=card.last4, exp_month=card.exp_month,
        exp_year=card.exp_year, gateway_token=card.token, holder_name=payment.holder_name[:120], created_by=actor.user)


@dataclass
class CartItem:
    sku: Sku
    quantity: int
    convert: Subscription | None = None  # Buy now on this trial


def seats_check(tenant, sku: Sku, quantity: int, *, exclude=None) -> None:
    """Quantity ≥ 1 and, for plans with a seat limit, the organization's paid licenses stay within it. An add-on's
    quantity is units of storage: no seat limit ties it to the number of users."""
    if quantity < 1:
        if sku.is_add_on:
            raise ValidationError(_("Buy at least one unit of %(plan)s.") % {"plan": sku.name}, code="quantity")
        raise ValidationError(_("Buy at least one license."), code="quantity")
    if sku.max_seats is None:
        return
    held = Subscription.objects.filter(tenant=tenant, sku=sku, status__in=LIVE, is_trial=False)
    if exclude is not None:
        held = held.exclude(pk=exclude.pk)
    already = sum(held.values_list("quantity", flat=True))
    if already + quantity > sku.max_seats:
        raise ValidationError(
            _("%(plan)s allows at most %(max)s licenses per organization; you have %(held)s, so you can add at most "
              "%(left)s.") % {"plan": sku.name, "max": sku.max_seats, "held": already, "left": max(sku.max_seats - already, 0)},
            code="max_seats")


def checkout_quote(*, tenant, items: list[CartItem], tax_country: str) -> Quote:
    """What the cart costs: a full year of each plan, tax by the service usage address. An add-on is allowed when a
    base plan it needs is active or in the same cart."""
    quote = new_quote(tenant, tax_country)
    for item in items:
        check_plan_allowed(tenant, item.sku)
        check_add_on_base(tenant, item.sku, with_plans=[other.sku for other in items])
        seats_check(tenant, item.sku, item.quantity, exclude=item.convert)
        term_line(quote, item.sku, item.quantity, subscription=item.convert)
    return quote


@transaction.atomic
def checkout_place(*, tenant, actor: Actor, items: list[CartItem], service_address: dict, payment: Payment,
                   partner_id: str = "", idempotency_key: str, now=None) -> Order:
    """Place the order of a cart: charge, number, create the subscriptions (or convert trials, keeping their
    users). A second call with the same idempotency key returns the first order and charges nothing."""
    now = now or timezone.now()
    ensure_billing_writable(tenant=tenant, actor=actor)
    if not items:
        raise ValidationError(_("Your cart is empty."), code="empty")
    trials = sorted((item.convert.pk for item in items if item.convert), key=str)
    locked = {s.pk: s for s in Subscription.objects.select_for_update().filter(tenant=tenant, pk__in=trials).order_by("pk")}
    counter = _lock_counter(tenant)
    existing = replayed_order(tenant, idempotency_key)
    if existing is not None:
        return existing
    for item in items:
        if item.convert is not None:
            item.convert = locked.get(item.convert.pk)
            if item.convert is None or not item.convert.is_trial or item.convert.status == Subscription.Status.DELETED:
                raise ValidationError(_("This trial can no longer be converted; it was bought or has ended."), code="trial_gone")
    quote = checkout_quote(tenant=tenant, items=items, tax_country=service_address.get("country") or _country(tenant))
    kind = Order.Kind.CONVERSION if all(item.convert for item in items) else Order.Kind.PURCHASE
    order = order_place(tenant=tenant, actor=actor, kind=kind, quote=quote, payment=payment, now=now,
                        idempotency_key=idempotency_key, partner_id=partner_id, service_address=service_address,
                        counter=counter)
    if order.status == Order.Status.COMPLETED:
        order_fulfil(order=order, actor=actor, now=now)
    mail_order(order, to=[actor.user.alternate_email] if actor.user is not None and actor.user.alternate_email else [])
    return order


def order_fulfil(*, order: Order, actor: Actor, now) -> list[Subscription]:
    """Give a completed purchase its licenses: new subscriptions, or trials turned into paid ones."""
    result = []
    for line in order.lines.select_related("sku", "subscription"):
        start = now
        values = dict(is_trial=False, quantity=line.target_quantity, status=Subscription.Status.ENABLED, status_reason="",
                      status_changed_at=now, term_started_at=start, ends_at=term_end(start), unit_price=line.unit_price,
                      currency=order.currency, payment_method=order.payment_method, partner_id=order.partner_id,
                      service_address=order.service_address, auto_renew=True, cancel_requested_at=None, cancel_reason="")
        if line.subscription is not None:
            subscription = line.subscription
            before = {"is_trial": subscription.is_trial, "quantity": subscription.quantity}
            for field, value in values.items():
                setattr(subscription, field, value)
            subscription.save(update_fields=list(values))
            audit_record(tenant=order.tenant, actor=actor, action="subscription.convert", target=subscription,
                         changes={"is_trial": [before["is_trial"], False], "quantity": [before["quantity"], subscription.quantity],
                                  "order": [None, order.number]})
        else:
            subscription = Subscription.objects.create(tenant=order.tenant, sku=line.sku, **values)
            line.subscription = subscription
            line.save(update_fields=["subscription"])
            audit_record(tenant=order.tenant, actor=actor, action="subscription.create", target=subscription,
                         changes={"plan": [None, line.sku.part_number], "quantity": [None, subscription.quantity],
                                  "order": [None, order.number]})
        mark_sold_through(subscription=subscription, order=order, actor=actor)
        result.append(subscription)
    # Buy now on an expired trial ends its banner; a new subscription brings a disabled plan's licenses back.
    banner_forget(order.tenant_id)
    return result


@transaction.atomic
def order_credit_check_decide(*, order: Order, approved: bool, actor: Actor, now=None) -> Order:
    """The outcome of a credit check (operators record it): approved orders get their licenses."""
    now = now or timezone.now()
    order = Order.objects.select_for_update().get(pk=order.pk, tenant=order.tenant)
    if order.status != Order.Status.CREDIT_CHECK:
        raise ValidationError(_("This order is not waiting for a credit check."), code="not_pending")
    order.status = Order.Status.COMPLETED if approved else Order.Status.DECLINED
    order.credit_checked_at = now
    order.save(update_fields=["status", "credit_checked_at"])
    audit_record(tenant=order.tenant, actor=actor, action="order.credit_check", target=order,
                 changes={"status": [Order.Status.CREDIT_CHECK, order.status]})
    if order.kind == Order.Kind.RENEWAL:
        from billing.lifecycle import renewal_credit_check_decided  # lifecycle places orders through this module

        renewal_credit_check_decided(order=order, approved=approved, actor=actor, now=now)
    elif approved and order.kind in (Order.Kind.PURCHASE, Order.Kind.CONVERSION):
        order_fulfil(order=order, actor=actor, now=now)
    elif approved:
        from billing.subscription_services import apply_quantity_lines  # the two modules call each other

        apply_quantity_lines(order=order, actor=actor)
    mail_order(order, to=[])
    return order

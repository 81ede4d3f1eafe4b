"""Subscriptions > Manage: the list, a subscription's details, licenses up or down with a proration preview,
payment details (choose, add, edit or remove a card), partner of record, cancel and reactivate.

Every page that changes billing carries `billing_change`: an organization that bought through a partner sees whom
to contact instead of the form, and its POSTs are refused (SPEC billing/ "Partners")."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from billing import gateway as gateways
from billing.access import billing_change, billing_lock_for_request
from billing.forms import CancelForm, CardEditForm, CardForm, ChooseMethodForm, PartnerForm, QuantityForm
from billing.models import Order, PaymentMethod, Subscription
from billing.catalog import format_storage
from billing.selectors import (
    add_ons_depending_on, live_subscriptions, payment_methods, services_summary, storage_summary, subscription_list,
    waiting_orders,
)
from billing.services import invoice_method
from billing.subscription_services import (
    card_add, card_editable_by, card_removable_by, card_remove, card_update, card_users, cancellation_dates, partner_set,
    quantity_change, quantity_quote, subscription_cancel, subscription_payment_change, subscription_reactivate,
    subscription_renew,
)
from tenantadmin.access import has_perm, require_perm, tenant_object_or_404
from tenantadmin.actors import Actor
from tenantadmin.roles import Perm


def _subscription(request, subscription_id) -> Subscription:
    return tenant_object_or_404(Subscription.objects.select_related("sku", "payment_method"), request.tenant,
                                pk=subscription_id)


@require_perm(Perm.BILLING_READ)
def subscriptions(request):
    return render(request, "billing/subscriptions.html", {
        "subscriptions": subscription_list(tenant=request.tenant).select_related("payment_method"),
        "partner": billing_lock_for_request(request), "can_write": has_perm(request, Perm.BILLING_WRITE)})


@require_perm(Perm.BILLING_READ)
def services(request):
    subscriptions = live_subscriptions(tenant=request.tenant)  # one query for both summaries
    return render(request, "billing/services.html", {
        "services": services_summary(tenant=request.tenant, subscriptions=subscriptions),
        "storage": storage_summary(tenant=request.tenant, subscriptions=subscriptions)})


@require_perm(Perm.BILLING_READ)
def subscription(request, subscription_id):
    item = _subscription(request, subscription_id)
    orders = (Order.objects.filter(tenant=request.tenant, lines__subscription=item).distinct()
              .order_by("-placed_at", "-number")[:20])
    partner = billing_lock_for_request(request)
    waiting = waiting_orders(tenant=request.tenant, subscription=item)
    return render(request, "billing/subscription.html", {
        "subscription": item, "orders": orders, "partner": partner,
        "can_write": partner is None and has_perm(request, Perm.BILLING_WRITE), "waiting": waiting,
        "renewal_waiting": any(order.kind == Order.Kind.RENEWAL for order in waiting),
        "next_at": item.next_lifecycle_at(), "cancellation": cancellation_dates(item), "renew_key": uuid.uuid4().hex})


@require_perm(Perm.BILLING_WRITE)
@billing_change
def subscription_quantity(request, subscription_id):
    """Enter a new total → see the prorated charge or credit → confirm. Nothing changes before the confirm."""
    item = _subscription(request, subscription_id)
    form = QuantityForm(request.POST or None, initial={"quantity": item.quantity, "key": uuid.uuid4().hex}, sku=item.sku)
    quote = None
    if request.method == "POST" and form.is_valid():
        new_quantity = form.cleaned_data["quantity"]
        try:
            quote = quantity_quote(subscription=item, new_quantity=new_quantity)
            if request.POST.get("confirm") == "1":
                order = quantity_change(subscription=item, new_quantity=new_quantity, actor=Actor.from_request(request),
                                        conflict_confirmed=form.cleaned_data.get("confirm_conflict", False),
                                        idempotency_key=form.cleaned_data["key"] or "")
                if order.status == Order.Status.CREDIT_CHECK:
                    messages.info(request, _("Your order waits for a credit check; the change follows once it is approved."))
                elif item.sku.is_add_on:
                    messages.success(request, _("%(plan)s is now %(gb)s.") % {
                        "plan": item.sku.name, "gb": format_storage(item.sku.storage_gb_for(new_quantity))})
                else:
                    messages.success(request, _("%(plan)s now has %(n)s licenses.") % {"plan": item.sku.name, "n": new_quantity})
                return redirect("billing:subscription", subscription_id=item.pk)
        except ValidationError as error:
            if getattr(error, "code", "") == "confirm_decrease" and "confirm_conflict" in form.fields:
                form.add_error("confirm_conflict", error)
            else:
                form.add_error("quantity", error)
    storage = storage_summary(tenant=request.tenant) if item.sku.is_add_on else None
    return render(request, "billing/quantity.html", {"subscription": item, "form": form, "quote": quote,
                                                     "decrease": quote is not None and quote.total < 0,
                                                     "storage": storage})


@require_perm(Perm.BILLING_WRITE)
@billing_change
def subscription_cancel_view(request, subscription_id):
    item = _subscription(request, subscription_id)
    form = CancelForm(request.POST or None)
    add_ons = add_ons_depending_on(item)
    if request.method == "POST" and form.is_valid():
        try:
            subscription_cancel(subscription=item, reason=form.reason_text(), actor=Actor.from_request(request))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(plan)s is cancelled. It stays active until %(date)s; you can reactivate it "
                                        "until then.") % {"plan": item.sku.name, "date": item.ends_at.date()})
            if add_ons:
                messages.info(request, _("Cancelled with it: %(add_ons)s. Reactivate them on their own pages if you "
                                         "reactivate this plan.") % {"add_ons": ", ".join(a.sku.name for a in add_ons)})
            return redirect("billing:subscription", subscription_id=item.pk)
    return render(request, "billing/cancel.html", {"subscription": item, "form": form, **cancellation_dates(item),
                                                   "add_ons": add_ons})


@require_POST
@require_perm(Perm.BILLING_WRITE)
@billing_change
def subscription_reactivate_view(request, subscription_id):
    item = _subscription(request, subscription_id)
    try:
        subscription_reactivate(subscription=item, actor=Actor.from_request(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(plan)s is active again and renews on %(date)s.")
                         % {"plan": item.sku.name, "date": item.ends_at.date()})
    return redirect("billing:subscription", subscription_id=item.pk)


@require_POST
@require_perm(Perm.BILLING_WRITE)
@billing_change
def subscription_renew_view(request, subscription_id):
    """Renew an expired paid subscription now (the key in the form makes a double click renew once)."""
    item = _subscription(request, subscription_id)
    try:
        order = subscription_renew(subscription=item, actor=Actor.from_request(request),
                                   idempotency_key=request.POST.get("key", "")[:64])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if order.status == Order.Status.CREDIT_CHECK:
            messages.info(request, _("The renewal of %(plan)s waits for a credit check. Your users keep its services "
                                     "during the grace period; once the check is approved it is active for a year.")
                          % {"plan": item.sku.name})
        else:
            messages.success(request, _("%(plan)s is active again.") % {"plan": item.sku.name})
    return redirect("billing:subscription", subscription_id=item.pk)


@sensitive_post_parameters("number", "cvc")
@require_perm(Perm.BILLING_WRITE)
@billing_change
def subscription_payment(request, subscription_id):
    """Choose another payment method for the subscription, or add a card (it takes over only once the
    gateway accepted a charge on it)."""
    item = _subscription(request, subscription_id)
    invoice_method(request.tenant)  # paying by invoice is always one of the choices
    methods = payment_methods(tenant=request.tenant)
    choose = ChooseMethodForm(request.POST if request.POST.get("form") == "choose" else None, methods=methods,
                              initial={"method": item.payment_method_id})
    add = CardForm(request.POST if request.POST.get("form") == "add" else None)
    if request.method == "POST":
        actor = Actor.from_request(request)
        try:
            if request.POST.get("form") == "choose" and choose.is_valid():
                subscription_payment_change(subscription=item, method=choose.cleaned_data["method"], actor=actor)
                messages.success(request, _("%(plan)s is now paid with %(method)s.")
                                 % {"plan": item.sku.name, "method": choose.cleaned_data["method"]})
                return redirect("billing:subscription", subscription_id=item.pk)
            if request.POST.get("form") == "add" and add.is_valid():
                data = add.cleaned_data
                method = card_add(tenant=request.tenant, actor=actor, number=data["number"], exp_month=data["exp_month"],
                                  exp_year=data["exp_year"], cvc=data["cvc"], holder_name=data["holder_name"])
                subscription_payment_change(subscription=item, method=method, actor=actor)
                messages.success(request, _("The card was added and %(plan)s is now paid with it.") % {"plan": item.sku.name})
                return redirect("billing:subscription", subscription_id=item.pk)
        except gateways.CardError as error:
            add.add_error(error.field if error.field in add.fields else "number", str(error))
        except ValidationError as error:
            (choose if request.POST.get("form") == "choose" else add).add_error(None, error)
    rows = [(method, card_editable_by(method, request.user), card_removable_by(method, request.user)) for method in methods]
    return render(request, "billing/payment.html", {"subscription": item, "choose": choose, "add": add, "rows": rows})


@require_perm(Perm.BILLING_WRITE)
@billing_change
def card_edit(request, payment_method_id):
    """Only the admin who added a card edits it; other admins are told so and may add another card."""
    method = tenant_object_or_404(PaymentMethod.objects.filter(kind=PaymentMethod.Kind.CARD, removed_at__isnull=True),
                                  request.tenant, pk=payment_method_id)
    allowed = card_editable_by(method, request.user)
    form = CardEditForm(request.POST or None, initial={"exp_month": method.exp_month, "exp_year": method.exp_year,
                                                       "holder_name": method.holder_name})
    if request.method == "POST" and allowed and form.is_valid():
        try:
            card_update(method=method, actor=Actor.from_request(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied:
            allowed = False
        else:
            messages.success(request, _("The card was updated."))
            return redirect("billing:subscriptions")
    return render(request, "billing/card_edit.html", {"method": method, "form": form, "allowed": allowed,
                                                      "can_remove": card_removable_by(method, request.user)})


def _next_url(request, default: str) -> str:
    """Where to go back to: a page of this site named in `next`, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return default


@require_perm(Perm.BILLING_WRITE)
@billing_change
def card_remove_view(request, payment_method_id):
    """Confirm, then remove a card. Subscriptions that renew automatically with it must choose another method
    first (the page lists them); only the admin who added the card or a global admin may remove it."""
    method = tenant_object_or_404(PaymentMethod.objects.filter(kind=PaymentMethod.Kind.CARD, removed_at__isnull=True),
                                  request.tenant, pk=payment_method_id)
    allowed = card_removable_by(method, request.user)
    next_url = _next_url(request, reverse("billing:subscriptions"))
    error = ""
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied(_("Only the administrator who added this card or a global administrator can remove it."))
        label = str(method)
        try:
            card_remove(method=method, actor=Actor.from_request(request))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("%(card)s was removed. Past orders and invoices still show it.") % {"card": label})
            return redirect(next_url)
    renewing, others = card_users(method)
    return render(request, "billing/card_remove.html", {
        "method": method, "allowed": allowed, "renewing": renewing, "others": others, "error": error,
        "next_url": next_url})


@require_perm(Perm.BILLING_WRITE)
@billing_change
def subscription_partner(request, subscription_id):
    item = _subscription(request, subscription_id)
    form = PartnerForm(request.POST or None, initial={"partner_id": item.partner_id})
    if request.method == "POST" and form.is_valid():
        try:
            partner_set(subscription=item, partner_id=form.cleaned_data["partner_id"], actor=Actor.from_request(request))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The partner of record was saved.") if form.cleaned_data["partner_id"]
                             else _("The partner of record was removed."))
            return redirect("billing:subscription", subscription_id=item.pk)
    return render(request, "billing/partner.html", {"subscription": item, "form": form})

"""Subscriptions > Purchase: the offers (Add / Trial) and the add-ons (Add, while a base plan they need is active),
the cart and the checkout wizard (1 details → 2 payment → 3 review and place the order), then the order receipt.
An organization that bought through a partner is sent to the partner instead (`billing_change`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from billing import gateway as gateways
from billing.access import billing_change
from billing.cart import cart_add, cart_clear, cart_items, cart_save, checkout_state, checkout_update
from billing.forms import CheckoutDetailsForm, PaymentForm
from billing.models import PaymentMethod, Sku, Subscription
from billing.selectors import add_on_offer_list, offer_list, payment_methods
from billing.services import Payment, check_add_on_base, checkout_place, checkout_quote, replayed_order, trial_start
from tenantadmin.access import require_perm, tenant_object_or_404
from tenantadmin.actors import Actor
from tenantadmin.roles import Perm

STEPS = [gettext_lazy("Details"), gettext_lazy("Payment"), gettext_lazy("Review")]


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_perm(Perm.BILLING_WRITE)
@billing_change
def purchase(request):
    if request.method == "POST":
        sku = Sku.objects.filter(pk=request.POST.get("sku"), is_offered=True).first()
        if sku is None:
            messages.error(request, _("Choose a plan from the list."))
            return redirect("billing:purchase")
        if request.POST.get("action") == "trial":
            try:
                trial_start(tenant=request.tenant, sku=sku, actor=Actor.from_request(request))
            except ValidationError as error:
                messages.error(request, _error_text(error))
                return redirect("billing:purchase")
            messages.success(request, _("Your trial of %(plan)s has started. Assign its licenses on the Licenses page.")
                             % {"plan": sku.name})
            return redirect("billing:subscriptions")
        if sku.is_add_on:
            try:
                check_add_on_base(request.tenant, sku, with_plans=[item.sku for item in cart_items(request)])
            except ValidationError as error:
                messages.error(request, _error_text(error))
                return redirect("billing:purchase")
        cart_add(request, sku)
        messages.success(request, _("%(plan)s is in your cart.") % {"plan": sku.name})
        return redirect("billing:cart")
    return render(request, "billing/purchase.html", {"offers": offer_list(tenant=request.tenant),
                                                     "add_ons": add_on_offer_list(tenant=request.tenant),
                                                     "cart_count": len(cart_items(request))})


@require_perm(Perm.BILLING_WRITE)
@billing_change
def cart(request):
    items = cart_items(request)
    if request.method == "POST":
        remove = request.POST.get("remove")
        if remove is not None and remove.isdigit() and int(remove) < len(items):
            removed = items.pop(int(remove))
            cart_save(request, items)
            messages.info(request, _("%(plan)s was removed from your cart.") % {"plan": removed.sku.name})
        return redirect("billing:cart")
    quote, error = None, ""
    if items:
        try:
            quote = checkout_quote(tenant=request.tenant, items=items, tax_country=request.tenant.country.code)
        except ValidationError as exc:
            error = _error_text(exc)
    lines = quote.lines if quote else [None] * len(items)
    return render(request, "billing/cart.html", {"items": items, "rows": list(zip(items, lines)), "quote": quote,
                                                 "error": error})


def _organization_address(tenant) -> dict:
    return {"street": tenant.street, "city": tenant.city, "state": tenant.state, "postal_code": tenant.postal_code,
            "country": tenant.country.code}


@require_perm(Perm.BILLING_WRITE)
@billing_change
def checkout(request):
    """Step 1: licenses, service usage address (the organization's by default), partner ID."""
    items = cart_items(request)
    if not items:
        messages.info(request, _("Your cart is empty: add a plan first."))
        return redirect("billing:purchase")
    state = checkout_state(request)
    initial = {**_organization_address(request.tenant), **state.get("address", {}), "partner_id": state.get("partner_id", "")}
    form = CheckoutDetailsForm(request.POST or None, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        for item, quantity in zip(items, form.quantities()):
            item.quantity = quantity
        try:
            checkout_quote(tenant=request.tenant, items=items, tax_country=form.address()["country"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            key = state["key"]
            cart_save(request, items)
            checkout_update(request, key=key, address=form.address(), partner_id=form.cleaned_data["partner_id"])
            return redirect("billing:checkout_payment")
    return render(request, "billing/checkout_details.html", {"form": form, "items": items, "steps": STEPS, "step": 1})


@sensitive_post_parameters("number", "cvc")
@require_perm(Perm.BILLING_WRITE)
@billing_change
def checkout_payment(request):
    """Step 2: a saved card, a new card (checked by the gateway now; only a reference is kept) or an invoice."""
    state = checkout_state(request)
    if not cart_items(request) or "address" not in state:
        return redirect("billing:checkout")
    methods = payment_methods(tenant=request.tenant)
    form = PaymentForm(request.POST or None, methods=methods, initial={"po_number": state.get("po_number", "")})
    if request.method == "POST" and form.is_valid():
        how = form.cleaned_data["how"]
        payment = {"how": how, "po_number": form.cleaned_data["po_number"]}
        if how == "saved":
            payment["method"] = str(form.cleaned_data["saved"].pk)
        elif how == "card":
            try:
                card = gateways.gateway().tokenize(
                    number=form.cleaned_data["number"], exp_month=form.cleaned_data["exp_month"],
                    exp_year=form.cleaned_data["exp_year"], cvc=form.cleaned_data["cvc"], today=timezone.now().date())
            except gateways.CardError as error:
                form.add_error(error.field if error.field in form.fields else "number", str(error))
            else:
                payment["card"] = {"brand": card.brand, "last4": card.last4, "exp_month": card.exp_month,
                                   "exp_year": card.exp_year, "token": card.token,
                                   "holder_name": form.cleaned_data["holder_name"]}
        if not form.errors:
            checkout_update(request, payment=payment)
            return redirect("billing:checkout_review")
    return render(request, "billing/checkout_payment.html", {
        "form": form, "steps": STEPS, "step": 2,
        # Demos and development run the built-in test gateway: say which numbers it knows.
        "test_gateway": isinstance(gateways.gateway(), gateways.TestGateway)})


def _payment_from_state(request, state: dict) -> tuple[Payment, str]:
    chosen = state["payment"]
    if chosen["how"] == "invoice":
        return Payment(kind=PaymentMethod.Kind.INVOICE, po_number=chosen.get("po_number", "")), _("Invoice (net 30)")
    if chosen["how"] == "saved":
        method = tenant_object_or_404(PaymentMethod.objects.filter(removed_at__isnull=True), request.tenant,
                                      pk=chosen["method"])
        return Payment(kind=PaymentMethod.Kind.CARD, method=method), str(method)
    card = chosen["card"]
    reference = gateways.CardReference(brand=card["brand"], last4=card["last4"], exp_month=card["exp_month"],
                                       exp_year=card["exp_year"], token=card["token"])
    label = f"{card['brand']} •••• {card['last4']} ({card['exp_month']:02d}/{card['exp_year']})"
    return Payment(kind=PaymentMethod.Kind.CARD, new_card=reference, holder_name=card.get("holder_name", "")), label


@require_perm(Perm.BILLING_WRITE)
@billing_change
def checkout_review(request):
    """Step 3: the order with tax and total; placing it charges and creates the subscriptions."""
    key = request.POST.get("key", "")
    if request.method == "POST" and key:
        existing = replayed_order(request.tenant, key)
        if existing is not None:  # the same checkout submitted twice: show the one order
            return redirect(reverse("billing:order", args=[existing.pk]) + "?placed=1")
    state = checkout_state(request)
    items = cart_items(request)
    if not items or "address" not in state:
        return redirect("billing:checkout")
    if "payment" not in state:
        return redirect("billing:checkout_payment")
    payment, payment_label = _payment_from_state(request, state)
    error = ""
    try:
        quote = checkout_quote(tenant=request.tenant, items=items, tax_country=state["address"]["country"])
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("billing:checkout")
    if request.method == "POST":
        if key != state["key"]:
            error = _("This page was out of date; check the order again and place it.")
        else:
            try:
                order = checkout_place(tenant=request.tenant, actor=Actor.from_request(request), items=items,
                                       service_address=state["address"], payment=payment,
                                       partner_id=state.get("partner_id", ""), idempotency_key=key)
            except ValidationError as exc:
                error = _error_text(exc)
            else:
                cart_clear(request)
                return redirect(reverse("billing:order", args=[order.pk]) + "?placed=1")
    return render(request, "billing/checkout_review.html", {
        "items": items, "quote": quote, "state": state, "payment_label": payment_label, "error": error,
        "steps": STEPS, "step": 3, "po_number": state["payment"].get("po_number", ""),
        "is_invoice": payment.kind == PaymentMethod.Kind.INVOICE})


@require_POST
@require_perm(Perm.BILLING_WRITE)
@billing_change
def buy_now(request, subscription_id):
    """Buy now on a trial: the trial goes into the cart and becomes the paid subscription, keeping its users."""
    trial = tenant_object_or_404(Subscription.objects.select_related("sku"), request.tenant, pk=subscription_id)
    if not trial.is_trial or trial.status == Subscription.Status.DELETED:
        messages.error(request, _("Only a trial can be bought with Buy now."))
        return redirect("billing:subscription", subscription_id=trial.pk)
    cart_add(request, trial.sku, quantity=trial.quantity, convert=trial)
    messages.success(request, _("Choose how many licenses of %(plan)s you need. Your trial's users keep their licenses.")
                     % {"plan": trial.sku.name})
    return redirect("billing:checkout")

"""Reads for plans, subscriptions, orders and payment methods; every tenant-owned read takes `tenant`."""

import uuid
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, Sum

from tenantadmin.license_figures import forget_license_figures
from tenantadmin.models import Tenant
from billing.models import Order, PartnerProfile, PaymentMethod, Sku, Subscription
from billing.pricing import organization_currency

COUNTING = (Subscription.Status.ENABLED, Subscription.Status.WARNING)
BANNER_CACHE_SECONDS = 300


def trial_plans():
    return Sku.objects.filter(trial_available=True).order_by("name")


def subscription_list(*, tenant):
    return Subscription.objects.filter(tenant=tenant).select_related("sku").order_by("created_at")


def offer_list(*, tenant) -> list[dict]:
    """Plans offered in the organization's currency, with its price and whether Trial is possible."""
    currency = organization_currency(tenant)
    held = set(Subscription.objects.filter(tenant=tenant).exclude(status=Subscription.Status.DELETED)
               .values_list("sku_id", flat=True))
    offers = []
    for sku in Sku.objects.filter(is_offered=True).order_by("sort_order", "name"):
        price = sku.monthly_price(currency)
        if price is None:
            continue
        offers.append({"sku": sku, "price": price, "currency": currency,
                       "can_trial": sku.trial_available and sku.pk not in held, "held": sku.pk in held})
    return offers


def total_units(*, tenant) -> dict:
    """{sku id: licenses of the organization's enabled and warning subscriptions} — the figure the Licenses
    page compares with what is assigned (billing does not count assignments: that is the users app's)."""
    return dict(Subscription.objects.filter(tenant=tenant).values_list("sku_id")
                .annotate(total=Sum("quantity", filter=Q(status__in=COUNTING))).values_list("sku_id", "total"))


# Best first: a plan's licenses work as long as one subscription of the plan is enabled or in its grace period.
STATE_ORDER = (Subscription.Status.ENABLED, Subscription.Status.WARNING, Subscription.Status.SUSPENDED,
               Subscription.Status.DELETED)


def _best_states(subscriptions) -> dict:
    """{sku id: the subscription deciding the plan's state} — the best-placed in STATE_ORDER, the newest on a tie."""
    rank = {status: index for index, status in enumerate(STATE_ORDER)}
    best = {}
    for subscription in subscriptions:
        held = best.get(subscription.sku_id)
        if held is None or (rank[subscription.status], -subscription.created_at.timestamp()) < (
                rank[held.status], -held.created_at.timestamp()):
            best[subscription.sku_id] = subscription
    return best


def plan_states(*, tenant) -> dict:
    """{sku id: "enabled" | "warning" | "suspended" | "deleted"} for every plan the organization has a subscription
    of: the best state among them (uncached; pages use `cached_plan_states`)."""
    rows = Subscription.objects.filter(tenant=tenant).only("sku", "status", "created_at")
    return {sku_id: subscription.status for sku_id, subscription in _best_states(rows).items()}


def suspended_sku_ids(*, tenant) -> set:
    """Plans whose licenses currently give no access: the organization has a suspended (or deleted)
    subscription of the plan and no enabled or warning one. Users whose licenses come only from such a plan
    lose its services (SPEC billing/ "Disabled/Suspended"); admins keep the admin center."""
    return {sku for sku, state in plan_states(tenant=tenant).items() if state not in COUNTING}


def _digest_key(tenant_id) -> str:
    return f"billing:digest:{tenant_id}"


def _attention_order(subscription):
    return subscription.status, subscription.ends_at is None, subscription.ends_at or subscription.created_at


def _partner_contact(profile: PartnerProfile) -> dict:
    return {"tenant_id": str(profile.tenant_id), "name": profile.tenant.name, "partner_id": profile.partner_id,
            "support_email": profile.support_email, "support_phone": profile.support_phone,
            "support_url": profile.support_url}


def subscription_digest(*, tenant) -> dict:
    """What every admin page needs to know about the organization's subscriptions, from one query and cached per
    organization: the banner's rows, each plan's state (users' service status), and the partner the
    organization bought through. Pinned query counts must not grow on each page. Status, quantity and reseller
    changes drop it (`banner_forget`); the timeout bounds how stale it can be if a drop is lost.

    Only plain values are cached (no model instances), so a deploy never unpickles an old model."""
    tenant_id = getattr(tenant, "pk", tenant)  # the organization or its id (Graph's user shapes hold only the id)
    key = _digest_key(tenant_id)
    digest = cache.get(key)
    if digest is not None:
        return digest
    subscriptions = list(Subscription.objects.filter(tenant_id=tenant_id)
                         .select_related("sku", "reseller__partner_profile").order_by("created_at", "pk"))
    attention = sorted((s for s in subscriptions if s.status in (Subscription.Status.WARNING, Subscription.Status.SUSPENDED)),
                       key=_attention_order)
    plans = {}
    for sku_id, subscription in _best_states(subscriptions).items():
        plans[str(sku_id)] = {"state": subscription.status, "subscription": str(subscription.pk),
                              "next_at": subscription.next_lifecycle_at(), "name": subscription.sku.name,
                              "service_plans": subscription.sku.service_plans}
    partners = []
    for subscription in subscriptions:
        profile = _reseller_profile(subscription)
        if profile is not None and subscription.status != Subscription.Status.DELETED:
            if all(partner["tenant_id"] != str(profile.tenant_id) for partner in partners):
                partners.append(_partner_contact(profile))
    digest = {
        "attention": [{"id": str(s.pk), "plan": s.sku.name, "status": s.status, "next_at": s.next_lifecycle_at()}
                      for s in attention],
        "plans": plans,
        "partners": partners,
    }
    cache.set(key, digest, BANNER_CACHE_SECONDS)
    return digest


def _reseller_profile(subscription: Subscription) -> PartnerProfile | None:
    if subscription.reseller_id is None:
        return None
    try:
        return subscription.reseller.partner_profile
    except PartnerProfile.DoesNotExist:
        return None  # no longer an enrolled partner: nobody to send the customer to


def banner_items(*, tenant) -> list[dict]:
    """The banner's rows (cached with the rest of `subscription_digest`): the banner is on every admin page."""
    return subscription_digest(tenant=tenant)["attention"]


def cached_plan_states(*, tenant) -> dict:
    """{sku id (str): {"state", "subscription" (the one deciding the state), "next_at", "name", "service_plans"}},
    cached: the users pages and Graph's user shapes read it once per page, whatever the number of users."""
    return subscription_digest(tenant=tenant)["plans"]


def _profile_from(contact: dict) -> PartnerProfile:
    # An unsaved-looking profile carrying what templates show (`partner.tenant.name`, the support contact)
    # without a query, rebuilt from the cached values.
    partner_tenant = Tenant(pk=uuid.UUID(contact["tenant_id"]), name=contact["name"])
    return PartnerProfile(tenant=partner_tenant, partner_id=contact["partner_id"], support_email=contact["support_email"],
                          support_phone=contact["support_phone"], support_url=contact["support_url"])


def billing_partner(*, tenant) -> PartnerProfile | None:
    """The partner that sold one of the organization's subscriptions (not deleted), with its name and support
    contact, or None. While there is one, the organization's own admins cannot change billing (SPEC billing/
    "Partners"): they contact the partner. The oldest sale wins when several partners sold. Cached
    (`subscription_digest`): no query on a warm page."""
    partners = subscription_digest(tenant=tenant)["partners"]
    return _profile_from(partners[0]) if partners else None


def billing_partner_ids(*, tenant) -> set:
    """Ids of the partner organizations that sold the organization's subscriptions (not deleted); cached."""
    return {uuid.UUID(partner["tenant_id"]) for partner in subscription_digest(tenant=tenant)["partners"]}


def banner_forget(tenant_id) -> None:
    """Drop the cached digest (banner, plan states, partner) now and again after the commit (a page rendered
    meanwhile may have re-cached it)."""
    cache.delete(_digest_key(tenant_id))
    transaction.on_commit(lambda: cache.delete(_digest_key(tenant_id)))
    # A status change moves units in or out of the free count, so the license-conflict banner changes too.
    forget_license_figures(tenant_id)


def payment_methods(*, tenant):
    return PaymentMethod.objects.filter(tenant=tenant, removed_at__isnull=True).order_by("kind", "created_at")


def order_list(*, tenant, since: datetime | None = None, until: datetime | None = None):
    orders = Order.objects.filter(tenant=tenant)
    if since is not None:
        orders = orders.filter(placed_at__gte=since)
    if until is not None:
        orders = orders.filter(placed_at__lt=until)
    return orders.order_by("-placed_at", "-number")


def order_with_lines(*, tenant, order_id):
    return (Order.objects.filter(tenant=tenant, pk=order_id).select_related("tenant")
            .prefetch_related("lines__sku").first())


def waiting_orders(*, tenant, subscription) -> list:
    """Orders of `subscription` waiting for a credit check (a renewal, more licenses), newest first."""
    return list(Order.objects.filter(tenant=tenant, status=Order.Status.CREDIT_CHECK, lines__subscription=subscription)
                .distinct().order_by("-placed_at", "-number"))


def open_invoices(*, tenant):
    """Invoices not yet paid: the current bill."""
    return Order.objects.filter(tenant=tenant, payment_kind=PaymentMethod.Kind.INVOICE, paid_at__isnull=True,
                                status=Order.Status.COMPLETED, total__gt=0).order_by("due_at", "number")


def services_summary(*, tenant) -> list[dict]:
    """Per service (Exchange Online, SharePoint Online, …): licenses of the organization's live subscriptions
    that include it, the subscriptions themselves with status and dates, and the earliest next date (SPEC
    "Services summary"). One query; assigned licenses are shown on the users app's Licenses page."""
    subscriptions = list(Subscription.objects.filter(tenant=tenant).exclude(status=Subscription.Status.DELETED)
                         .select_related("sku").order_by("created_at", "pk"))
    services: dict[str, dict] = {}
    for subscription in subscriptions:
        for plan in subscription.sku.service_plans:
            entry = services.setdefault(plan["displayName"], {"name": plan["displayName"], "total": 0,
                                                              "subscriptions": [], "next_at": None})
            if subscription.status in COUNTING:
                entry["total"] += subscription.quantity
            entry["subscriptions"].append(subscription)
            next_at = subscription.next_lifecycle_at()
            if next_at and (entry["next_at"] is None or next_at < entry["next_at"]):
                entry["next_at"] = next_at
    return sorted(services.values(), key=lambda entry: entry["name"])

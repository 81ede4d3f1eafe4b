"""Reads for plans, subscriptions, orders and payment methods; every tenant-owned read takes `tenant`."""

from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, Sum

from tenantadmin.license_figures import forget_license_figures
from billing.models import Order, PaymentMethod, Sku, Subscription
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


def suspended_sku_ids(*, tenant) -> set:
    """Plans whose licenses currently give no access: the organization has a suspended (or deleted)
    subscription of the plan and no enabled or warning one. Users whose licenses come only from such a plan
    lose its services (SPEC billing/ "Disabled/Suspended"); admins keep the admin center."""
    rows = Subscription.objects.filter(tenant=tenant).values_list("sku_id", "status")
    live = {sku for sku, status in rows if status in COUNTING}
    return {sku for sku, status in rows if status not in COUNTING} - live


def subscriptions_needing_attention(*, tenant):
    """Expired (warning) and disabled subscriptions, for the admins' banner."""
    return (Subscription.objects.filter(tenant=tenant, status__in=[Subscription.Status.WARNING, Subscription.Status.SUSPENDED])
            .select_related("sku").order_by("status", "ends_at"))


def _banner_key(tenant_id) -> str:
    return f"billing:attention:{tenant_id}"


def banner_items(*, tenant) -> list[dict]:
    """The banner's rows, cached per organization: the banner is on every admin page, and pinned query counts
    must not grow by one on each of them. Status changes drop the cache (`banner_forget`); the timeout bounds
    how stale it can be if a drop is lost."""
    key = _banner_key(tenant.pk)
    items = cache.get(key)
    if items is None:
        items = [{"id": str(s.pk), "plan": s.sku.name, "status": s.status, "next_at": s.next_lifecycle_at()}
                 for s in subscriptions_needing_attention(tenant=tenant)]
        cache.set(key, items, BANNER_CACHE_SECONDS)
    return items


def banner_forget(tenant_id) -> None:
    """Drop the cached banner now and again after the commit (a page rendered meanwhile may have re-cached it)."""
    cache.delete(_banner_key(tenant_id))
    transaction.on_commit(lambda: cache.delete(_banner_key(tenant_id)))
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

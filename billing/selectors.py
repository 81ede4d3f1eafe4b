"""Reads for plans, subscriptions, orders and payment methods; every tenant-owned read takes `tenant`."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

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
    return Sku.objects.filter(trial_available=True, applies_to=Sku.AppliesTo.USER).order_by("name")


def subscription_list(*, tenant):
    return Subscription.objects.filter(tenant=tenant).select_related("sku").order_by("created_at")


def offer_list(*, tenant) -> list[dict]:
    """Plans offered in the organization's currency, with its price and whether Trial is possible."""
    currency = organization_currency(tenant)
    held = set(Subscription.objects.filter(tenant=tenant).exclude(status=Subscription.Status.DELETED)
               .values_list("sku_id", flat=True))
    offers = []
    for sku in Sku.objects.filter(is_offered=True, applies_to=Sku.AppliesTo.USER).order_by("sort_order", "name"):
        price = sku.monthly_price(currency)
        if price is None:
            continue
        offers.append({"sku": sku, "price": price, "currency": currency,
                       "can_trial": sku.trial_available and sku.pk not in held, "held": sku.pk in held})
    return offers


def active_base_plan_parts(*, tenant, exclude=None) -> set[str]:
    """Part numbers of the plans for users the organization holds an active, paid subscription of that is not
    cancelled: what an add-on's `requires_one_of` is checked against (a trial may end, a cancelled plan ends at the
    end of its term: neither can carry storage bought for a year). `exclude`: a subscription to leave out."""
    held = Subscription.objects.filter(tenant=tenant, status=Subscription.Status.ENABLED, is_trial=False,
                                       cancel_requested_at__isnull=True, sku__applies_to=Sku.AppliesTo.USER)
    if exclude is not None:
        held = held.exclude(pk=exclude.pk)
    return set(held.values_list("sku__part_number", flat=True))


def plan_names(part_numbers) -> list[str]:
    """The names of the plans with these part numbers, in catalog order (an add-on's required base plans)."""
    return list(Sku.objects.filter(part_number__in=list(part_numbers)).order_by("sort_order", "name")
                .values_list("name", flat=True))


def add_on_offer_list(*, tenant) -> list[dict]:
    """Add-ons offered in the organization's currency, with whether a base plan they need is active and, when not,
    the names of the plans that would allow them. Three queries whatever the number of add-ons."""
    currency = organization_currency(tenant)
    skus = [sku for sku in Sku.objects.filter(is_offered=True, applies_to=Sku.AppliesTo.COMPANY).order_by("sort_order", "name")
            if sku.monthly_price(currency) is not None]
    if not skus:
        return []
    active = active_base_plan_parts(tenant=tenant)
    names = dict(Sku.objects.filter(part_number__in={part for sku in skus for part in sku.requires_one_of})
                 .values_list("part_number", "name"))
    return [{"sku": sku, "price": sku.monthly_price(currency), "currency": currency,
             "available": bool(active & set(sku.requires_one_of)),
             "requires": [names[part] for part in sku.requires_one_of if part in names]} for sku in skus]


def add_ons_depending_on(subscription: Subscription) -> list[Subscription]:
    """Active add-on subscriptions that `subscription` (a plan for users) is the last active paid base of: cancelling
    it leaves them without a base plan."""
    if subscription.sku.is_add_on:
        return []
    others = active_base_plan_parts(tenant=subscription.tenant_id, exclude=subscription)
    add_ons = (Subscription.objects.filter(tenant_id=subscription.tenant_id, status=Subscription.Status.ENABLED,
                                           cancel_requested_at__isnull=True, sku__applies_to=Sku.AppliesTo.COMPANY)
               .select_related("sku").order_by("created_at", "pk"))
    return [add_on for add_on in add_ons if subscription.sku.part_number in add_on.sku.requires_one_of
            and not others & set(add_on.sku.requires_one_of)]


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


def storage_in_use_gb(*, tenant) -> Decimal:
    """Organization file storage in use. Nothing in the product stores the organization's files yet (there are no
    sites or document libraries; support attachments and profile photos are the operator's, not the quota's), so
    this is 0 rather than an invented figure; the service that brings file storage reports its usage here, and the
    quota checks (a storage decrease below what is used is refused) already go through this function."""
    return Decimal(0)


@dataclass
class StorageSummary:
    """The organization's file storage quota (SPEC billing/ "Services summary": quotas total, in use, remaining):
    the largest base of the plans held + each plan's licenses × its storage per license + add-on units × GB per
    unit, counting enabled and warning subscriptions as licenses do."""

    base_gb: Decimal
    licenses_gb: Decimal
    add_ons_gb: Decimal
    in_use_gb: Decimal
    plans: list  # subscriptions of plans for users that bring storage (not deleted)
    add_ons: list  # add-on subscriptions (not deleted): the drill-down

    @property
    def total_gb(self) -> Decimal:
        return self.base_gb + self.licenses_gb + self.add_ons_gb

    @property
    def remaining_gb(self) -> Decimal:
        return max(self.total_gb - self.in_use_gb, Decimal(0))


def live_subscriptions(*, tenant) -> list[Subscription]:
    """The organization's subscriptions that are not deleted, with their plans: what the services summary reads."""
    return list(Subscription.objects.filter(tenant=tenant).exclude(status=Subscription.Status.DELETED)
                .select_related("sku").order_by("created_at", "pk"))


def storage_summary(*, tenant, subscriptions: list | None = None) -> StorageSummary:
    """The storage quota and where it comes from; one query for the subscriptions (none when the caller passes
    `live_subscriptions`)."""
    subscriptions = live_subscriptions(tenant=tenant) if subscriptions is None else subscriptions
    base, licenses, add_ons_gb = Decimal(0), Decimal(0), Decimal(0)
    plans, add_ons = [], []
    for subscription in subscriptions:
        sku = subscription.sku
        counts = subscription.status in COUNTING
        if sku.is_add_on:
            add_ons.append(subscription)
            add_ons_gb += sku.storage_gb_for(subscription.quantity) if counts else 0
        elif sku.storage_base_gb or sku.storage_gb_per_license:
            plans.append(subscription)
            if counts:
                # The base is the organization's, once: two plans with 10 GB each give 10 GB, not 20.
                base = max(base, Decimal(sku.storage_base_gb))
                licenses += sku.storage_gb_for(subscription.quantity)
    return StorageSummary(base_gb=base, licenses_gb=licenses, add_ons_gb=add_ons_gb,
                          in_use_gb=storage_in_use_gb(tenant=tenant), plans=plans, add_ons=add_ons)


def services_summary(*, tenant, subscriptions: list | None = None) -> list[dict]:
    """Per service (Exchange Online, SharePoint Online, …): licenses of the organization's live subscriptions
    that include it, the subscriptions themselves with status and dates, and the earliest next date (SPEC
    "Services summary"). One query (none with `live_subscriptions` passed); assigned licenses are shown on the
    users app's Licenses page."""
    subscriptions = live_subscriptions(tenant=tenant) if subscriptions is None else subscriptions
    services: dict[str, dict] = {}
    for subscription in subscriptions:
        if subscription.sku.is_add_on:
            continue  # add-ons are quotas, not licenses: the storage summary shows them
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

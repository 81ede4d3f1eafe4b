"""License units: what is free, and the only code that assigns or removes licenses.

Free units of a plan = units of the organization's enabled and warning subscriptions of that plan −
licenses assigned (SPEC users/ "Licenses"). Assigning the last free unit must be race-free: a service
locks the plan's subscription rows (SELECT … FOR UPDATE, in plan-id order so two requests for several
plans cannot deadlock) before it counts, so concurrent requests for the same plan run one after another.
"""

import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from billing.catalog import EMBARGOED_COUNTRIES, restricted_service_plan_ids
from billing.models import Sku, Subscription
from tenantadmin.actors import Actor
from tenantadmin.license_figures import LICENSE_FIGURES_SECONDS, forget_license_figures, license_figures_key
from tenantadmin.services.audit import audit_record
from users.models import LicenseAssignment, User

# Subscriptions whose units count (SPEC: "units of enabled/warning subscriptions").
COUNTING_STATUSES = (Subscription.Status.ENABLED, Subscription.Status.WARNING)


class NotAssignable(ValidationError):
    """An add-on (a plan that applies to the organization, such as extra storage) offered as a user's license."""

    def __init__(self, sku: Sku):
        self.sku = sku
        super().__init__(
            _("%(plan)s is an add-on of the organization, not a license: it cannot be assigned to users.")
            % {"plan": sku.name}, code="not_assignable")


def check_assignable(skus) -> None:
    """Only plans that apply to users are licenses (SPEC users/ "Licenses"); add-ons belong to the organization."""
    for sku in skus:
        if sku.is_add_on:
            raise NotAssignable(sku)


class NoFreeLicenses(ValidationError):
    """No free unit of a plan is left; `sku` says which."""

    def __init__(self, sku: Sku):
        self.sku = sku
        super().__init__(
            _("There are no free %(plan)s licenses left. Buy more, remove licenses from other users, or delete "
              "users who no longer need theirs.") % {"plan": sku.name},
            code="no_free_licenses",
        )


@dataclass(frozen=True)
class LicenseUnits:
    sku: Sku
    total: int
    assigned: int

    @property
    def free(self) -> int:
        return max(self.total - self.assigned, 0)

    @property
    def in_conflict(self) -> bool:
        """More users hold the plan than there are units (after a decrease or an expiry)."""
        return self.assigned > self.total


def license_units(*, tenant) -> list[LicenseUnits]:
    """Per plan for users the organization has (or had) a subscription of or licenses from: total, assigned, free.
    Add-ons are not licenses and are left out, so no license choice offers them. Two queries whatever the number
    of users."""
    totals = dict(
        Subscription.objects.filter(tenant=tenant).values_list("sku_id")
        .annotate(total=Sum("quantity", filter=Q(status__in=COUNTING_STATUSES)))
    )
    assigned = dict(
        LicenseAssignment.objects.filter(tenant=tenant).values_list("sku_id").annotate(n=Count("pk"))
    )
    skus = Sku.objects.filter(pk__in=set(totals) | set(assigned), applies_to=Sku.AppliesTo.USER).order_by("name")
    return [LicenseUnits(sku=sku, total=totals.get(sku.pk) or 0, assigned=assigned.get(sku.pk, 0)) for sku in skus]


def _lock_and_count(tenant, skus: list[Sku]) -> dict:
    """Lock the plans' counting subscriptions, then {sku id: free units}."""
    ids = sorted({sku.pk for sku in skus}, key=str)
    locked = list(Subscription.objects.select_for_update().filter(tenant=tenant, sku_id__in=ids)
                  .order_by("sku_id", "pk").values_list("sku_id", "status", "quantity"))
    totals = {sku_id: 0 for sku_id in ids}
    for sku_id, status, quantity in locked:
        if status in COUNTING_STATUSES:
            totals[sku_id] += quantity
    assigned = dict(LicenseAssignment.objects.filter(tenant=tenant, sku_id__in=ids).values_list("sku_id")
                    .annotate(n=Count("pk")))
    return {sku_id: total - assigned.get(sku_id, 0) for sku_id, total in totals.items()}


def _check_location(user: User, skus: list[Sku]) -> None:
    if not skus:
        return
    if not user.usage_location:
        raise ValidationError(
            _("Set the user location of %(user)s before assigning licenses: it decides which services may be "
              "used.") % {"user": user.upn}, code="usage_location_required")
    if user.usage_location.code in EMBARGOED_COUNTRIES:
        raise ValidationError(
            _("Licenses cannot be assigned to users located in %(country)s.") % {"country": user.usage_location.name},
            code="license_restricted")


@transaction.atomic
def licenses_change(*, user: User, actor: Actor, add: list[Sku] = (), remove: list[Sku] = (),
                    disabled_plans: dict | None = None) -> list[LicenseAssignment]:
    """Give `user` the plans in `add` and take away those in `remove`, all or nothing.

    `disabled_plans` {sku id: [servicePlanId…]} switches services of a plan off for this user; the
    services a user's location does not allow are always off. Raises NoFreeLicenses (naming the plan) or
    ValidationError; nothing changes then. Returns the user's licenses afterwards.
    """
    user = User.objects.select_for_update().get(pk=user.pk, tenant=user.tenant)
    tenant = user.tenant
    if user.deleted_at is not None:
        raise ValidationError(_("A deleted user cannot hold licenses."), code="deleted")
    disabled_plans = disabled_plans or {}
    held = {assignment.sku_id: assignment for assignment in LicenseAssignment.objects.filter(user=user).select_related("sku")}
    new = [sku for sku in add if sku.pk not in held]
    check_assignable(new)
    _check_location(user, new)
    free = _lock_and_count(tenant, new)
    for sku in new:
        if free[sku.pk] < 1:
            raise NoFreeLicenses(sku)
    before_parts = sorted(assignment.sku.part_number for assignment in held.values())
    changes = {}
    for sku in new:
        off = _disabled_for(user, sku, disabled_plans.get(sku.pk, []))
        LicenseAssignment.objects.create(tenant=tenant, user=user, sku=sku, disabled_plans=off)
        changes["licenses"] = True
    for sku in add:
        if sku.pk in held and sku.pk in disabled_plans:
            assignment = held[sku.pk]
            off = _disabled_for(user, sku, disabled_plans[sku.pk])
            if off != assignment.disabled_plans:
                changes[f"disabled_plans:{sku.part_number}"] = [assignment.disabled_plans, off]
                assignment.disabled_plans = off
                assignment.save(update_fields=["disabled_plans"])
    removed = [held[sku.pk] for sku in remove if sku.pk in held]
    if removed:
        LicenseAssignment.objects.filter(pk__in=[assignment.pk for assignment in removed]).delete()
        changes["licenses"] = True
    if changes.pop("licenses", False):
        removed_ids = {assignment.sku_id for assignment in removed}
        after_parts = sorted({*(a.sku.part_number for a in held.values() if a.sku_id not in removed_ids),
                              *(sku.part_number for sku in new)})
        changes["licenses"] = [before_parts, after_parts]
    if changes:
        audit_record(tenant=tenant, actor=actor, action="user.license_change", target=user, changes=changes)
        forget_license_figures(tenant.pk)
    return list(LicenseAssignment.objects.filter(user=user).select_related("sku").order_by("sku__name"))



@transaction.atomic
def licenses_assign_new_users(*, tenant, users: list[User], skus: list[Sku]) -> int:
    """Give the first of `users` (saved in the caller's transaction) every plan in `skus` under one lock of
    the plans; returns how many got them. Those beyond the free units get none: the caller decides what
    becomes of them (the bulk import removes them again). The caller writes the audit events."""
    if not users or not skus:
        return len(users)
    check_assignable(skus)
    for user in users:
        _check_location(user, skus)
    free = _lock_and_count(tenant, skus)
    fits = max(0, min([len(users)] + [free[sku.pk] for sku in skus]))
    disabled: dict[tuple, list[str]] = {}  # per plan and location: computed once, not per user
    rows = []
    for user in users[:fits]:
        for sku in skus:
            key = (sku.pk, user.usage_location.code)
            if key not in disabled:
                disabled[key] = _disabled_for(user, sku, [])
            rows.append(LicenseAssignment(tenant=tenant, user=user, sku=sku, disabled_plans=disabled[key]))
    LicenseAssignment.objects.bulk_create(rows, batch_size=1000)
    forget_license_figures(tenant.pk)
    return fits

def _disabled_for(user: User, sku: Sku, requested: list[str]) -> list[str]:
    known = {plan["servicePlanId"] for plan in sku.service_plans}
    unknown = [plan_id for plan_id in requested if plan_id not in known]
    if unknown:
        raise ValidationError(_("%(plan)s has no service plan %(id)s.") % {"plan": sku.name, "id": unknown[0]},
                              code="unknown_service_plan")
    restricted = restricted_service_plan_ids(sku.service_plans, user.usage_location.code) if user.usage_location else []
    return sorted(set(requested) | set(restricted))


@transaction.atomic
def licenses_release(*, user: User, actor: Actor) -> list[str]:
    """Free every license `user` holds (deleting an account frees its licenses); returns the part numbers."""
    assignments = list(LicenseAssignment.objects.filter(user=user).select_related("sku"))
    if not assignments:
        return []
    LicenseAssignment.objects.filter(pk__in=[a.pk for a in assignments]).delete()
    parts = [a.sku.part_number for a in assignments]
    audit_record(tenant=user.tenant, actor=actor, action="user.license_change", target=user,
                 changes={"licenses": [sorted(parts), []]})
    forget_license_figures(user.tenant_id)
    return parts


def license_conflicts(*, tenant) -> list[LicenseUnits]:
    """The plans with more licenses assigned than units (SPEC "License conflict"), in one query. It counts the
    assignments, so pages shown everywhere use `cached_license_conflicts`."""
    totals = (Subscription.objects.filter(tenant=tenant, sku_id=OuterRef("pk"), status__in=COUNTING_STATUSES)
              .order_by().values("sku_id").annotate(total=Sum("quantity")).values("total"))
    assigned = (LicenseAssignment.objects.filter(tenant=tenant, sku_id=OuterRef("pk"))
                .order_by().values("sku_id").annotate(n=Count("pk")).values("n"))
    # Add-ons are never assigned, so they can never be in conflict: left out (their units exceed no assignment).
    skus = (Sku.objects.filter(applies_to=Sku.AppliesTo.USER)
            .annotate(units_total=Coalesce(Subquery(totals), 0), units_assigned=Coalesce(Subquery(assigned), 0))
            .filter(units_assigned__gt=F("units_total")).order_by("name"))
    return [LicenseUnits(sku=sku, total=sku.units_total, assigned=sku.units_assigned) for sku in skus]


def cached_license_conflicts(*, tenant) -> list[LicenseUnits]:
    """license_conflicts for the banner on every Users page and overview, cached per organization: counting
    assignments reads every license of a plan, which at a million users costs far more than a page may.
    License writes here and subscription changes in billing drop the cache."""
    key = license_figures_key(tenant.pk)
    figures = cache.get(key)
    if figures is None:
        figures = [{"id": str(u.sku.pk), "part_number": u.sku.part_number, "name": u.sku.name, "total": u.total,
                    "assigned": u.assigned} for u in license_conflicts(tenant=tenant)]
        cache.set(key, figures, LICENSE_FIGURES_SECONDS)
    # The banner needs the plan's id and names only: an unsaved Sku carries them without a query.
    return [LicenseUnits(sku=Sku(pk=uuid.UUID(f["id"]), part_number=f["part_number"], name=f["name"]),
                         total=f["total"], assigned=f["assigned"]) for f in figures]


def licenses_remove_from_users(*, tenant, sku: Sku, user_ids, actor: Actor) -> int:
    """Take `sku` away from the chosen holders in `tenant` (a license conflict's "remove licenses from users"
    resolution); each user changes on their own. Returns how many lost the license."""
    holders = User.objects.filter(tenant=tenant, pk__in=list(user_ids), licenses__sku=sku).order_by("pk")
    removed = 0
    for user in holders:
        licenses_change(user=user, actor=actor, remove=[sku])
        removed += 1
    return removed

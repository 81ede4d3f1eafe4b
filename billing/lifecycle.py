"""The subscription lifecycle (SPEC billing/ "Renewal and lifecycle"), driven by periodic workers and by
`manage.py process_subscription_lifecycle`; both call `lifecycle_run` / `lifecycle_advance` with `now`.

    Enabled ──term or trial ends──▶ renewed (paid, auto-renew, charge succeeds): Enabled, next term
        │                        └▶ Warning (trial ended, payment failed, not renewed)   users keep access
        └──cancelled, term ends──▶ Suspended (cancelled)
    Warning ──BILLING_WARNING_DAYS──▶ Suspended   users whose licenses come only from it lose its services
    Suspended ──BILLING_SUSPENDED_DAYS (cancelled: BILLING_DATA_RETENTION_DAYS)──▶ Deleted (data gone)

Each step is one transaction that claims the subscription with a conditional UPDATE (status and date as
read): if another worker, or an earlier run that crashed after committing, already moved it, the update
matches no row and nothing is done twice. Dates of a step follow from the previous step's date, not from
when the worker ran, so a late or replayed run (`--as-of`) ends with the same dates. A renewal charge
carries an idempotency key made of the subscription and term, so a retried renewal never charges twice.

A renewal paid by invoice above the credit limit (or by a card the bank reviews) waits for a credit check. The
worker still starts the new term when it places the order, so the subscription stays usable until the answer
and a re-run finds nothing due (the term is never extended twice). The answer (`renewal_credit_check_decided`):
approved, the order is simply completed; declined, the unpaid term is taken back and the subscription expires
(Warning, payment failed), its grace period counted from the answer.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import Order, Sku, Subscription
from billing.notify import mail_billing_admins, mail_order
from billing.pricing import catalog_price, new_quote, term_line
from billing.selectors import active_base_plan_parts, banner_forget
from billing.services import Payment, order_place, term_end
from billing.subscription_services import renewal_start_term
from tenantadmin.actors import Actor
from tenantadmin.services.audit import audit_record

Status = Subscription.Status
Reason = Subscription.Reason
WORKER = Actor.system("subscription lifecycle")
# A subscription can take at most this many steps in one run (renewals of years missed, then expiry).
MAX_STEPS = 50
# Expired and disabled subscriptions: a reminder to the admins this long after the last mail about it.
REMINDER_INTERVAL = timedelta(days=7)

SUBJECTS = {
    "renewed": _("%(plan)s was renewed"),
    Status.WARNING: _("%(plan)s has expired: renew it to keep your users' access"),
    Status.SUSPENDED: _("%(plan)s is disabled"),
    Status.DELETED: _("%(plan)s and its data were deleted"),
}


def _grace_days(subscription: Subscription) -> int:
    if subscription.status == Status.WARNING:
        return settings.BILLING_WARNING_DAYS
    if subscription.status_reason == Reason.CANCELLED:
        return settings.BILLING_DATA_RETENTION_DAYS
    return settings.BILLING_SUSPENDED_DAYS


def due_subscription_ids(now) -> list:
    """Subscriptions with a step due at `now` (the index on (status, ends_at) keeps this cheap)."""
    warning_before = now - timedelta(days=settings.BILLING_WARNING_DAYS)
    suspended_before = now - timedelta(days=min(settings.BILLING_SUSPENDED_DAYS, settings.BILLING_DATA_RETENTION_DAYS))
    return list(Subscription.objects.filter(
        Q(status=Status.ENABLED, ends_at__lte=now)
        | Q(status=Status.WARNING, status_changed_at__lte=warning_before)
        | Q(status=Status.SUSPENDED, status_changed_at__lte=suspended_before)
    ).order_by("ends_at", "pk").values_list("pk", flat=True))


def _claim(subscription: Subscription, **changes) -> bool:
    """Move the subscription if it is still as we read it; False when someone else got there first."""
    claimed = Subscription.objects.filter(
        pk=subscription.pk, status=subscription.status, ends_at=subscription.ends_at,
        status_changed_at=subscription.status_changed_at,
    ).update(**changes)
    if claimed:
        for field, value in changes.items():
            setattr(subscription, field, value)
        banner_forget(subscription.tenant_id)
    return bool(claimed)


def _transition(subscription: Subscription, to: str, *, at, reason: str | None = None, now=None) -> bool:
    before = subscription.status
    changes = {"status": to, "status_changed_at": at}
    if reason is not None:
        changes["status_reason"] = reason
    if to == Status.DELETED:
        changes["data_deleted_at"] = now
    if not _claim(subscription, **changes):
        return False
    audit_record(tenant=subscription.tenant, actor=WORKER, action=f"subscription.{to}", target=subscription,
                 changes={"status": [before, to], "reason": [None, subscription.status_reason or None],
                          "at": [None, at.isoformat()]})
    mail_billing_admins(subscription.tenant, subject=SUBJECTS[to], params={"plan": subscription.sku.name},
                        template="billing/mail/lifecycle",
                        context={"subscription": subscription, "status": to, "next_at": subscription.next_lifecycle_at()})
    return True


def _renew(subscription: Subscription, now) -> str:
    """Charge the next term at the catalog's current price; a failed charge sends it into Warning."""
    start = subscription.ends_at
    if subscription.sku.applies_to == Sku.AppliesTo.COMPANY and not (
            active_base_plan_parts(tenant=subscription.tenant) & set(subscription.sku.requires_one_of)):
        # Renewing would charge a year of storage that no plan carries (the base plan expired or was disabled).
        return Status.WARNING if _transition(subscription, Status.WARNING, at=start,
                                             reason=Reason.BASE_PLAN_ENDED) else ""
    method = subscription.payment_method
    if method is None or method.removed_at is not None:
        return Status.WARNING if _transition(subscription, Status.WARNING, at=start, reason=Reason.PAYMENT_FAILED) else ""
    country = (subscription.service_address or {}).get("country") or subscription.tenant.country.code
    quote = new_quote(subscription.tenant, country)
    quote.currency = subscription.currency or quote.currency
    try:
        price = catalog_price(subscription.sku, quote.currency)
        term_line(quote, subscription.sku, subscription.quantity, unit_price=price, subscription=subscription)
        with transaction.atomic():
            order = order_place(tenant=subscription.tenant, actor=WORKER, kind=Order.Kind.RENEWAL, quote=quote,
                                payment=Payment(kind=method.kind, method=method), now=now,
                                idempotency_key=f"renew-{subscription.pk}-{start.date().isoformat()}",
                                partner_id=subscription.partner_id, service_address=subscription.service_address)
    except ValidationError:
        return Status.WARNING if _transition(subscription, Status.WARNING, at=start, reason=Reason.PAYMENT_FAILED) else ""
    if not _claim(subscription, term_started_at=start, ends_at=term_end(start), unit_price=price, status_changed_at=start):
        transaction.set_rollback(True)  # another worker renewed it meanwhile: undo this order
        return ""
    changes = {"ends_at": [start.isoformat(), subscription.ends_at.isoformat()], "order": [None, order.number]}
    if order.status == Order.Status.CREDIT_CHECK:
        changes["credit_check"] = [None, "waiting"]  # usable meanwhile; a decline takes the term back
    audit_record(tenant=subscription.tenant, actor=WORKER, action="subscription.renew", target=subscription,
                 changes=changes)
    mail_order(order, to=[])
    return "renewed"


@transaction.atomic
def lifecycle_step(subscription_id, now) -> str:
    """Take the one step due for a subscription at `now`; returns what happened ('' for nothing)."""
    subscription = (Subscription.objects.select_for_update(of=("self",)).select_related("sku", "tenant", "payment_method")
                    .filter(pk=subscription_id).first())
    if subscription is None:
        return ""
    if subscription.status == Status.ENABLED and subscription.ends_at and subscription.ends_at <= now:
        if subscription.is_cancelled:
            return Status.SUSPENDED if _transition(subscription, Status.SUSPENDED, at=subscription.ends_at,
                                                   reason=Reason.CANCELLED) else ""
        if subscription.is_trial:
            return Status.WARNING if _transition(subscription, Status.WARNING, at=subscription.ends_at,
                                                 reason=Reason.TRIAL_ENDED) else ""
        if not subscription.auto_renew:
            return Status.WARNING if _transition(subscription, Status.WARNING, at=subscription.ends_at) else ""
        return _renew(subscription, now)
    if subscription.status in (Status.WARNING, Status.SUSPENDED) and subscription.status_changed_at is not None:
        due_at = subscription.status_changed_at + timedelta(days=_grace_days(subscription))
        if due_at <= now:
            to = Status.SUSPENDED if subscription.status == Status.WARNING else Status.DELETED
            return to if _transition(subscription, to, at=due_at, now=now) else ""
    return ""


def lifecycle_advance(subscription_id, now) -> list[str]:
    """Every step due for one subscription at `now` (a late run catches up: renewals, then expiry)."""
    done = []
    for _step in range(MAX_STEPS):
        result = lifecycle_step(subscription_id, now)
        if not result:
            break
        done.append(str(result))
    return done


def term_start_before(end):
    """The start of the yearly term ending at `end` (the inverse of `term_end`; 29 February starts on 28 February)."""
    try:
        return end.replace(year=end.year - 1)
    except ValueError:
        return end.replace(year=end.year - 1, day=28)


def _is_latest_renewal(subscription: Subscription, order: Order) -> bool:
    return not Order.objects.filter(tenant_id=order.tenant_id, kind=Order.Kind.RENEWAL, lines__subscription=subscription,
                                    placed_at__gt=order.placed_at).exists()


def _take_back_term(subscription: Subscription, order: Order, actor: Actor, now) -> None:
    """A declined renewal the worker had started: the unpaid year goes, the subscription expires now."""
    unpaid_from = subscription.term_started_at or subscription.ends_at
    before = {"status": subscription.status, "ends_at": subscription.ends_at}
    values = {"status": Status.WARNING, "status_reason": Reason.PAYMENT_FAILED, "status_changed_at": now,
              "ends_at": unpaid_from, "term_started_at": term_start_before(unpaid_from)}
    for field, value in values.items():
        setattr(subscription, field, value)
    subscription.save(update_fields=list(values))
    banner_forget(subscription.tenant_id)
    audit_record(tenant=subscription.tenant, actor=actor, action="subscription.warning", target=subscription,
                 changes={"status": [before["status"], Status.WARNING], "reason": [None, Reason.PAYMENT_FAILED],
                          "ends_at": [before["ends_at"].isoformat(), unpaid_from.isoformat()],
                          "order": [None, order.number]})
    mail_billing_admins(subscription.tenant, subject=SUBJECTS[Status.WARNING], params={"plan": subscription.sku.name},
                        template="billing/mail/lifecycle",
                        context={"subscription": subscription, "status": Status.WARNING,
                                 "next_at": subscription.next_lifecycle_at()})


def renewal_credit_check_decided(*, order: Order, approved: bool, actor: Actor, now) -> None:
    """The answer to a renewal's credit check (the caller holds the order's row lock and records the order's status).

    - The workers' renewal at the end of a term already started the new year: approved, nothing more changes
      (never a second year); declined, that year is taken back and the subscription expires now.
    - An admin's renewal of an expired subscription waited in Warning (or Disabled, after a long check):
      approved, its new year starts now; declined, it stays as it is.
    """
    for line in order.lines.all():
        subscription = (Subscription.objects.select_for_update(of=("self",)).select_related("sku", "tenant")
                        .filter(pk=line.subscription_id, tenant_id=order.tenant_id).first())
        if subscription is None or subscription.is_trial:
            continue
        started = subscription.status == Status.ENABLED and _is_latest_renewal(subscription, order)
        if approved and subscription.status in (Status.WARNING, Status.SUSPENDED):
            renewal_start_term(subscription=subscription, order=order, actor=actor, now=now)
        elif not approved and started:
            _take_back_term(subscription, order, actor, now)


def reminder_due_ids(now) -> list:
    last = now - REMINDER_INTERVAL
    return list(Subscription.objects.filter(
        status__in=[Status.WARNING, Status.SUSPENDED], status_changed_at__lte=last,
    ).filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=last)).order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def lifecycle_remind(subscription_id, now) -> bool:
    """Mail the admins again about an expired or disabled subscription; at most once per interval (claimed)."""
    subscription = Subscription.objects.select_related("sku", "tenant").filter(pk=subscription_id).first()
    if subscription is None or subscription.status not in (Status.WARNING, Status.SUSPENDED):
        return False
    last = now - REMINDER_INTERVAL
    if subscription.status_changed_at > last or (subscription.reminded_at and subscription.reminded_at > last):
        return False
    claimed = Subscription.objects.filter(pk=subscription.pk, reminded_at=subscription.reminded_at,
                                          status=subscription.status).update(reminded_at=now)
    if not claimed:
        return False
    mail_billing_admins(subscription.tenant, subject=SUBJECTS[subscription.status], params={"plan": subscription.sku.name},
                        template="billing/mail/lifecycle",
                        context={"subscription": subscription, "status": subscription.status,
                                 "next_at": subscription.next_lifecycle_at()})
    return True


def lifecycle_run(now=None) -> dict:
    """Process every due subscription now (the operator command; the beat task fans out instead)."""
    now = now or timezone.now()
    counts = {"renewed": 0, Status.WARNING.value: 0, Status.SUSPENDED.value: 0, Status.DELETED.value: 0}
    ids = due_subscription_ids(now)
    for subscription_id in ids:
        for result in lifecycle_advance(subscription_id, now):
            counts[result] = counts.get(result, 0) + 1
    counts["reminded"] = sum(lifecycle_remind(subscription_id, now) for subscription_id in reminder_due_ids(now))
    return {"as_of": now.isoformat(), "due": len(ids), **counts}

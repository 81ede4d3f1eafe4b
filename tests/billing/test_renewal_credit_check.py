"""A renewal paid by invoice (or by a card the bank reviews) that needs a credit check: the workers renew once
however often they run, the order waits, the subscription stays usable until the answer; approved, the order is
completed (never a second year); declined, the unpaid year goes and the subscription expires (payment failed)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing.lifecycle import lifecycle_run
from billing.models import Order, PaymentMethod, Subscription
from billing.selectors import cached_plan_states, total_units
from billing.services import Payment, order_credit_check_decide
from billing.subscription_services import subscription_renew
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.billing.billinghelpers import REVIEW, T0, buy, card

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)
RENEWS = T0.replace(year=2027)
NEXT_END = T0.replace(year=2028)
DESK = Actor.system("credit desk")


@pytest.fixture
def invoiced(org_a, settings):
    """E1 × 10 paid by invoice (960 USD a year) under a credit limit that a renewal at 1,080 USD exceeds."""
    settings.BILLING_CREDIT_LIMIT = 1000
    subscription = buy(org_a, "STANDARDPACK", 10, now=T0,
                       payment=Payment(kind=PaymentMethod.Kind.INVOICE)).lines.get().subscription
    assert subscription.ends_at == RENEWS
    from billing.models import Sku

    Sku.objects.filter(part_number="STANDARDPACK").update(prices={"USD": "9.00"})
    return subscription


def _renewals(org):
    return list(Order.objects.filter(tenant=org.tenant, kind=Order.Kind.RENEWAL))


def _renewed_waiting(org, subscription):
    result = lifecycle_run(RENEWS)
    assert result["renewed"] == 1
    [order] = _renewals(org)
    subscription.refresh_from_db()
    return order


def test_the_renewal_waits_and_the_subscription_stays_usable(org_a, invoiced):
    order = _renewed_waiting(org_a, invoiced)
    assert order.status == Order.Status.CREDIT_CHECK and order.total > 1000
    assert invoiced.status == Subscription.Status.ENABLED and invoiced.ends_at == NEXT_END
    assert total_units(tenant=org_a.tenant)[invoiced.sku_id] == 10
    assert cached_plan_states(tenant=org_a.tenant)[str(invoiced.sku_id)]["state"] == "enabled"
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="subscription.renew")
    assert event.changes["credit_check"] == [None, "waiting"]


def test_workers_running_again_never_extend_the_term_twice(org_a, invoiced):
    _renewed_waiting(org_a, invoiced)
    for when in (RENEWS, RENEWS + timedelta(hours=1), RENEWS + 40 * DAY):
        assert lifecycle_run(when)["renewed"] == 0
    invoiced.refresh_from_db()
    assert invoiced.ends_at == NEXT_END and len(_renewals(org_a)) == 1
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="subscription.renew").count() == 1


def test_approved_the_order_completes_and_the_term_is_not_extended_again(org_a, invoiced):
    order = _renewed_waiting(org_a, invoiced)
    order_credit_check_decide(order=order, approved=True, actor=DESK, now=RENEWS + 3 * DAY)
    order.refresh_from_db()
    invoiced.refresh_from_db()
    assert order.status == Order.Status.COMPLETED and order.credit_checked_at == RENEWS + 3 * DAY
    assert (invoiced.status, invoiced.ends_at, invoiced.quantity) == (Subscription.Status.ENABLED, NEXT_END, 10)
    assert not AuditEvent.objects.filter(tenant=org_a.tenant, action="subscription.quantity").exists()
    assert lifecycle_run(RENEWS + 5 * DAY)["renewed"] == 0


def test_declined_the_unpaid_year_goes_and_the_subscription_expires(org_a, invoiced, django_capture_on_commit_callbacks):
    order = _renewed_waiting(org_a, invoiced)
    answered = RENEWS + 5 * DAY
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order_credit_check_decide(order=order, approved=False, actor=DESK, now=answered)
    order.refresh_from_db()
    invoiced.refresh_from_db()
    assert order.status == Order.Status.DECLINED
    assert (invoiced.status, invoiced.status_reason) == (Subscription.Status.WARNING, Subscription.Reason.PAYMENT_FAILED)
    assert invoiced.ends_at == RENEWS and invoiced.term_started_at == T0
    # The grace period counts from the answer: users keep access for BILLING_WARNING_DAYS after it.
    assert invoiced.next_lifecycle_at() == answered + 30 * DAY
    assert total_units(tenant=org_a.tenant)[invoiced.sku_id] == 10
    warning = AuditEvent.objects.get(tenant=org_a.tenant, action="subscription.warning", target_id=str(invoiced.pk))
    assert warning.changes["reason"] == [None, "payment_failed"] and warning.actor_label == "credit desk"
    admins = {org_a.global_admin.alternate_email, org_a.billing_admin.alternate_email}
    expired = [m for m in mail.outbox if "has expired" in m.subject]
    assert {m.to[0] for m in expired} == admins and "could not be paid" in expired[0].body
    assert any("declined" in m.body for m in mail.outbox if "Your order" in m.subject)
    # Nothing renews it again by itself; it is disabled when the grace period ends.
    assert lifecycle_run(answered + 30 * DAY - DAY)["renewed"] == 0
    assert lifecycle_run(answered + 30 * DAY)["suspended"] == 1
    assert len(_renewals(org_a)) == 1


def test_a_review_card_renewal_takes_the_same_path(org_a):
    subscription = buy(org_a, "STANDARDPACK", 2, now=T0).lines.get().subscription
    PaymentMethod.objects.filter(pk=subscription.payment_method_id).update(gateway_token=card(REVIEW).new_card.token)
    order = _renewed_waiting(org_a, subscription)
    assert order.status == Order.Status.CREDIT_CHECK and subscription.ends_at == NEXT_END
    order_credit_check_decide(order=order, approved=False, actor=DESK, now=RENEWS + DAY)
    subscription.refresh_from_db()
    assert (subscription.status, subscription.ends_at) == (Subscription.Status.WARNING, RENEWS)


def test_a_later_decision_does_not_touch_an_answered_order(org_a, invoiced):
    order = _renewed_waiting(org_a, invoiced)
    order_credit_check_decide(order=order, approved=True, actor=DESK, now=RENEWS + DAY)
    with pytest.raises(ValidationError):
        order_credit_check_decide(order=order, approved=False, actor=DESK, now=RENEWS + 2 * DAY)
    invoiced.refresh_from_db()
    assert invoiced.status == Subscription.Status.ENABLED and invoiced.ends_at == NEXT_END


# --- an admin renews an expired subscription --------------------------------------------------------------------

@pytest.fixture
def expired(org_a, invoiced):
    """The invoiced subscription, expired because it was not set to renew."""
    Subscription.objects.filter(pk=invoiced.pk).update(auto_renew=False)
    lifecycle_run(RENEWS)
    invoiced.refresh_from_db()
    assert invoiced.status == Subscription.Status.WARNING and not _renewals(org_a)
    return invoiced


def test_an_admins_renewal_waits_in_the_grace_period_and_starts_the_year_when_approved(org_a, expired):
    admin = Actor.for_user(org_a.billing_admin)
    order = subscription_renew(subscription=expired, actor=admin, idempotency_key="renew-1", now=RENEWS + 2 * DAY)
    expired.refresh_from_db()
    assert order.status == Order.Status.CREDIT_CHECK and expired.status == Subscription.Status.WARNING
    with pytest.raises(ValidationError) as twice:
        subscription_renew(subscription=expired, actor=admin, idempotency_key="renew-2", now=RENEWS + 3 * DAY)
    assert twice.value.code == "renewal_pending" and len(_renewals(org_a)) == 1
    approved_at = RENEWS + 6 * DAY
    order_credit_check_decide(order=order, approved=True, actor=DESK, now=approved_at)
    expired.refresh_from_db()
    assert (expired.status, expired.term_started_at, expired.ends_at) == (
        Subscription.Status.ENABLED, approved_at, approved_at.replace(year=2028))
    assert expired.auto_renew


def test_an_admins_declined_renewal_leaves_the_subscription_expired(org_a, expired):
    order = subscription_renew(subscription=expired, actor=Actor.for_user(org_a.billing_admin),
                               idempotency_key="renew-3", now=RENEWS + 2 * DAY)
    before = Subscription.objects.filter(pk=expired.pk).values("status", "ends_at", "status_changed_at").get()
    order_credit_check_decide(order=order, approved=False, actor=DESK, now=RENEWS + 4 * DAY)
    assert Subscription.objects.filter(pk=expired.pk).values("status", "ends_at", "status_changed_at").get() == before


def test_the_portal_says_the_renewal_waits(org_a, expired, client_for):
    with time_machine.travel(RENEWS + 2 * DAY, tick=False):
        client = client_for(org_a.billing_admin)
        response = client.post(reverse("billing:subscription_renew", args=[expired.pk]), {"key": "portal-renew"},
                               follow=True)
        page = response.content.decode()
        assert "waits for a credit check" in page and "grace period" in page
        [order] = _renewals(org_a)
        assert f'id="waiting-credit-check-{order.number}"' in page and 'id="renew-now"' not in page
        again = client.post(reverse("billing:subscription_renew", args=[expired.pk]), {"key": "portal-renew-2"},
                            follow=True).content.decode()
        assert f"The renewal in order {order.number} already waits for a credit check" in again
    assert len(_renewals(org_a)) == 1

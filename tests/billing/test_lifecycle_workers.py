"""The lifecycle workers with a frozen clock: trial expiry, Warning → Suspended → Deleted, yearly renewal,
cancellation at the next cycle, idempotent re-runs, a crash mid-run, and the operator command."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from billing import lifecycle
from billing.lifecycle import lifecycle_run
from billing.models import Order, Sku
from billing.selectors import suspended_sku_ids, total_units
from billing.services import trial_start
from billing.subscription_services import subscription_cancel
from billing.tasks import lifecycle_sweep
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.billing.billinghelpers import DECLINE, T0, buy, card, plan

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def _trial(org):
    return trial_start(tenant=org.tenant, sku=plan("LITEPACK"), actor=Actor.system("t"), now=T0)


def _status(subscription):
    subscription.refresh_from_db()
    return subscription.status


def _audits(org, action):
    return AuditEvent.objects.filter(tenant=org.tenant, action=action).count()


def test_trial_expires_then_is_disabled_then_deleted(org_a, django_capture_on_commit_callbacks):
    trial = _trial(org_a)
    lifecycle_run(T0 + 30 * DAY - timedelta(seconds=1))
    assert _status(trial) == "enabled"
    with django_capture_on_commit_callbacks(execute=True):
        result = lifecycle_run(T0 + 30 * DAY)
    assert result["warning"] == 1 and _status(trial) == "warning" and trial.status_reason == "trial_ended"
    admins = {org_a.global_admin.alternate_email, org_a.billing_admin.alternate_email}
    warning_mails = [m for m in mail.outbox if "has expired" in m.subject]
    assert {m.to[0] for m in warning_mails} == admins
    assert total_units(tenant=org_a.tenant)[trial.sku_id] == 10  # users keep access in Warning
    assert trial.next_lifecycle_at() == T0 + 60 * DAY

    assert lifecycle_run(T0 + 60 * DAY)["suspended"] == 1 and _status(trial) == "suspended"
    assert trial.sku_id in suspended_sku_ids(tenant=org_a.tenant)
    assert total_units(tenant=org_a.tenant).get(trial.sku_id) in (None, 0)
    assert lifecycle_run(T0 + 150 * DAY - DAY)["deleted"] == 0
    assert lifecycle_run(T0 + 150 * DAY)["deleted"] == 1 and _status(trial) == "deleted"
    assert trial.data_deleted_at == T0 + 150 * DAY
    for action in ("subscription.warning", "subscription.suspended", "subscription.deleted"):
        assert _audits(org_a, action) == 1


def test_a_late_run_catches_up_with_the_same_dates(org_a):
    trial = _trial(org_a)
    result = lifecycle_run(T0 + 400 * DAY)
    assert min(result["warning"], result["suspended"], result["deleted"]) >= 1
    trial.refresh_from_db()
    assert trial.status == "deleted" and trial.status_changed_at == T0 + 150 * DAY


def test_running_twice_does_nothing_twice(org_a):
    _trial(org_a)
    first = lifecycle_run(T0 + 30 * DAY)
    second = lifecycle_run(T0 + 30 * DAY)
    assert first["warning"] == 1 and second["warning"] == 0
    assert _audits(org_a, "subscription.warning") == 1


def test_yearly_renewal_charges_the_new_price_once(org_a):
    subscription = buy(org_a, "STANDARDPACK", 10).lines.get().subscription
    Sku.objects.filter(part_number="STANDARDPACK").update(prices={"USD": "9.00"})
    subscription.refresh_from_db()
    assert subscription.unit_price == Decimal("8.00")  # never increases before the anniversary
    result = lifecycle_run(T0.replace(year=2027))
    assert result["renewed"] == 1
    subscription.refresh_from_db()
    assert subscription.ends_at == T0.replace(year=2028) and subscription.term_started_at == T0.replace(year=2027)
    assert subscription.unit_price == Decimal("9.00") and subscription.status == "enabled"
    renewal = Order.objects.get(tenant=org_a.tenant, kind=Order.Kind.RENEWAL)
    assert renewal.total == Decimal("1080.00") and renewal.number == 2
    assert lifecycle_run(T0.replace(year=2027))["renewed"] == 0
    assert Order.objects.filter(tenant=org_a.tenant, kind=Order.Kind.RENEWAL).count() == 1


def test_failed_renewal_payment_starts_the_grace_period(org_a):
    subscription = buy(org_a, "STANDARDPACK", 10).lines.get().subscription
    method = subscription.payment_method
    method.gateway_token = card(DECLINE).new_card.token
    method.save(update_fields=["gateway_token"])
    lifecycle_run(T0.replace(year=2027))
    subscription.refresh_from_db()
    assert (subscription.status, subscription.status_reason) == ("warning", "payment_failed")
    assert not Order.objects.filter(kind=Order.Kind.RENEWAL).exists()


def test_cancellation_takes_effect_at_the_next_cycle_and_data_goes_90_days_later(org_a):
    subscription = buy(org_a, "STANDARDPACK", 10).lines.get().subscription
    subscription_cancel(subscription=subscription, reason="moving", actor=Actor.for_user(org_a.billing_admin),
                        now=T0 + 10 * DAY)
    lifecycle_run(T0 + 100 * DAY)
    assert _status(subscription) == "enabled"
    end = T0.replace(year=2027)
    lifecycle_run(end - timedelta(seconds=1))
    assert _status(subscription) == "enabled"
    lifecycle_run(end)
    subscription.refresh_from_db()
    assert (subscription.status, subscription.status_reason) == ("suspended", "cancelled")
    assert subscription.next_lifecycle_at() == end + 90 * DAY
    lifecycle_run(end + 90 * DAY - timedelta(seconds=1))
    assert _status(subscription) == "suspended"
    lifecycle_run(end + 90 * DAY)
    assert _status(subscription) == "deleted"
    assert not Order.objects.filter(kind=Order.Kind.RENEWAL).exists()


def test_a_crash_mid_run_is_finished_exactly_once_by_the_next_run(org_a, org_b, monkeypatch):
    first, second = _trial(org_a), _trial(org_b)
    real_mail = lifecycle.mail_billing_admins
    calls = {"n": 0}

    def crash_on_second(tenant, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real_mail(tenant, **kwargs)

    monkeypatch.setattr(lifecycle, "mail_billing_admins", crash_on_second)
    with pytest.raises(RuntimeError):
        lifecycle_run(T0 + 30 * DAY)
    moved = [_status(first), _status(second)]
    assert sorted(moved) == ["enabled", "warning"]  # the crashed step rolled back whole
    monkeypatch.setattr(lifecycle, "mail_billing_admins", real_mail)
    assert lifecycle_run(T0 + 30 * DAY)["warning"] == 1
    assert [_status(first), _status(second)] == ["warning", "warning"]
    assert _audits(org_a, "subscription.warning") == 1 and _audits(org_b, "subscription.warning") == 1


def test_command_prints_one_json_object(org_a, capsys):
    _trial(org_a)
    call_command("process_subscription_lifecycle", "--as-of", (T0 + 30 * DAY).isoformat())
    result = json.loads(capsys.readouterr().out)
    assert result["warning"] == 1 and result["as_of"].startswith("2026-03-31")


def test_beat_task_fans_out_the_same_code(org_a):
    trial = _trial(org_a)
    assert lifecycle_sweep((T0 + 30 * DAY).isoformat()) == 1
    assert _status(trial) == "warning"


def test_admins_see_a_banner_and_other_members_do_not(org_a, client_for):
    trial = _trial(org_a)
    lifecycle_run(T0 + 30 * DAY)
    page = client_for(org_a.billing_admin).get(reverse("billing:subscriptions")).content.decode()
    assert "billing-banner" in page and "has expired" in page
    page = client_for(org_a.user_admin).get(reverse("tenantadmin:overview")).content.decode()
    assert "billing-banner" not in page
    assert trial.pk


def test_an_expired_subscription_is_renewed_from_the_portal_after_a_card_change(org_a, client_for):
    subscription = buy(org_a, "STANDARDPACK", 10).lines.get().subscription
    method = subscription.payment_method
    method.gateway_token = card(DECLINE).new_card.token
    method.save(update_fields=["gateway_token"])
    lifecycle_run(T0.replace(year=2027))
    assert _status(subscription) == "warning"
    client = client_for(org_a.billing_admin)
    url = reverse("billing:subscription_renew", args=[subscription.pk])
    client.post(url, {"key": "renew-1"})
    assert _status(subscription) == "warning"  # the declined card changed nothing
    client.post(reverse("billing:subscription_payment", args=[subscription.pk]), {
        "form": "add", "number": "4242424242424242", "exp_month": 1, "exp_year": 2031, "cvc": "123", "holder_name": "G"})
    client.post(url, {"key": "renew-2"})
    client.post(url, {"key": "renew-2"})  # a double click renews once
    assert _status(subscription) == "enabled" and subscription.ends_at > T0.replace(year=2027)
    assert Order.objects.filter(tenant=org_a.tenant, kind=Order.Kind.RENEWAL).count() == 1


def test_admins_are_reminded_weekly_while_expired(org_a, django_capture_on_commit_callbacks):
    trial = _trial(org_a)
    lifecycle_run(T0 + 30 * DAY)  # Warning, with its own mail
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle_run(T0 + 36 * DAY)["reminded"] == 0
        assert lifecycle_run(T0 + 37 * DAY)["reminded"] == 1
        assert lifecycle_run(T0 + 37 * DAY)["reminded"] == 0  # a re-run sends nothing twice
        assert lifecycle_run(T0 + 44 * DAY)["reminded"] == 1
    reminders = [m for m in mail.outbox if "has expired" in m.subject]
    assert len(reminders) == 2 * 2  # two reminders, each to the global and the billing admin
    trial.refresh_from_db()
    assert trial.reminded_at == T0 + 44 * DAY

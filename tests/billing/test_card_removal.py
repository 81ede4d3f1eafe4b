"""Removing a saved card: never the one an active, auto-renewing subscription pays with; only the admin who added
it or a global admin; audited; the gateway forgets it; past orders and invoices keep its brand and last four."""

import io
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from billing.gateway import TestGateway
from billing.models import Order, PaymentMethod, Subscription
from billing.pdf import invoice_pdf
from billing.selectors import payment_methods
from billing.services import invoice_method
from billing.subscription_services import (
    card_remove, quantity_change, subscription_cancel, subscription_payment_change,
)
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.billing.billinghelpers import T0, buy

pytestmark = pytest.mark.django_db
LATER = T0 + timedelta(days=10)
LABEL = "Visa •••• 4242 (12/2030)"


class RecordingGateway(TestGateway):
    """The test gateway, remembering which card references it was told to forget."""

    __test__ = False
    forgotten: list = []

    def forget_card(self, *, token):
        RecordingGateway.forgotten.append(token)


@pytest.fixture
def recording(settings):
    settings.BILLING_GATEWAY = "tests.billing.test_card_removal.RecordingGateway"
    RecordingGateway.forgotten = []
    return RecordingGateway


@pytest.fixture
def bought(org_a):
    """E1 bought by A's billing admin with a new Visa card (the card is theirs)."""
    order = buy(org_a, "STANDARDPACK", 5, now=T0)
    return order, order.lines.get().subscription, order.payment_method


@pytest.fixture
def frozen():
    with time_machine.travel(LATER, tick=False):
        yield


def _to_invoice(org, subscription):
    subscription_payment_change(subscription=subscription, method=invoice_method(org.tenant),
                                actor=Actor.for_user(org.billing_admin))


# --- the service ---------------------------------------------------------------------------------------------

def test_a_card_an_auto_renewing_subscription_pays_with_cannot_be_removed(org_a, bought):
    _order, subscription, card = bought
    with pytest.raises(ValidationError) as refused:
        card_remove(method=card, actor=Actor.for_user(org_a.billing_admin), now=LATER)
    assert refused.value.code == "in_use" and "Office 365 Enterprise E1" in refused.value.messages[0]
    card.refresh_from_db()
    assert card.removed_at is None and card.gateway_token
    assert not AuditEvent.objects.filter(tenant=org_a.tenant, action="payment_method.remove").exists()


def test_removing_a_card_keeps_the_history_and_the_gateway_forgets_it(org_a, bought, recording,
                                                                       django_capture_on_commit_callbacks):
    order, subscription, card = bought
    token = card.gateway_token
    _to_invoice(org_a, subscription)
    with django_capture_on_commit_callbacks(execute=True):
        card_remove(method=card, actor=Actor.for_user(org_a.billing_admin), now=LATER)
    card.refresh_from_db()
    assert card.removed_at == LATER and card.gateway_token == ""
    assert (card.brand, card.last4) == ("Visa", "4242")
    assert recording.forgotten == [token]
    assert card not in payment_methods(tenant=org_a.tenant)
    order.refresh_from_db()
    assert order.payment_label == LABEL
    text = PdfReader(io.BytesIO(invoice_pdf(order))).pages[0].extract_text()
    assert "4242" in text
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="payment_method.remove")
    assert event.changes == {"card": [LABEL, None]} and event.actor_label == org_a.billing_admin.upn


def test_a_rolled_back_removal_forgets_nothing(org_a, bought, recording, django_capture_on_commit_callbacks):
    _order, _subscription, card = bought
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        card_remove(method=card, actor=Actor.for_user(org_a.billing_admin), now=LATER)
    assert recording.forgotten == []


def test_a_cancelled_subscription_is_left_without_a_payment_method(org_a, bought):
    _order, subscription, card = bought
    subscription_cancel(subscription=subscription, reason="Moving", actor=Actor.for_user(org_a.billing_admin), now=LATER)
    card_remove(method=card, actor=Actor.for_user(org_a.billing_admin), now=LATER)
    subscription.refresh_from_db()
    assert subscription.payment_method_id is None
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="subscription.payment_method", target_id=str(subscription.pk))
    assert event.changes == {"payment_method": [LABEL, None]}


def test_only_the_admin_who_added_it_or_a_global_admin_may_remove_it(org_a, bought):
    _order, subscription, card = bought
    _to_invoice(org_a, subscription)
    from tests.factories import make_user

    other_billing_admin = make_user(org_a.tenant, "billing2", roles=["billing_admin"])
    with pytest.raises(PermissionDenied):
        card_remove(method=card, actor=Actor.for_user(other_billing_admin), now=LATER)
    card.refresh_from_db()
    assert card.removed_at is None
    card_remove(method=card, actor=Actor.for_user(org_a.global_admin), now=LATER)
    card.refresh_from_db()
    assert card.removed_at == LATER


def test_a_removed_card_can_no_longer_pay(org_a, bought):
    _order, subscription, card = bought
    _to_invoice(org_a, subscription)
    card_remove(method=card, actor=Actor.for_user(org_a.billing_admin), now=LATER)
    with pytest.raises(ValidationError) as refused:
        subscription_payment_change(subscription=subscription, method=card, actor=Actor.for_user(org_a.billing_admin))
    assert refused.value.code == "method"
    with pytest.raises(ValidationError):
        card_remove(method=card, actor=Actor.for_user(org_a.billing_admin), now=LATER)


def test_a_subscription_left_without_a_card_asks_for_one_before_charging(org_a, bought):
    _order, subscription, card = bought
    subscription_cancel(subscription=subscription, reason="Moving", actor=Actor.for_user(org_a.billing_admin), now=LATER)
    card_remove(method=card, actor=Actor.for_user(org_a.billing_admin), now=LATER)
    from billing.subscription_services import subscription_reactivate

    subscription_reactivate(subscription=subscription, actor=Actor.for_user(org_a.billing_admin))
    with pytest.raises(ValidationError) as refused:
        quantity_change(subscription=subscription, new_quantity=9, actor=Actor.for_user(org_a.billing_admin), now=LATER)
    assert refused.value.code == "no_payment_method"


# --- the portal ----------------------------------------------------------------------------------------------

def test_the_page_lists_the_subscriptions_that_renew_with_the_card_and_refuses(org_a, bought, client_for, frozen):
    _order, subscription, card = bought
    client = client_for(org_a.billing_admin)
    url = reverse("billing:card_remove", args=[card.pk])
    page = client.get(url).content.decode()
    assert 'id="card-in-use"' in page and reverse("billing:subscription_payment", args=[subscription.pk]) in page
    assert 'id="confirm-remove-card"' not in page
    response = client.post(url)
    assert response.status_code == 200 and 'id="remove-card-error"' in response.content.decode()
    card.refresh_from_db()
    assert card.removed_at is None


def test_the_page_says_what_is_lost_and_removes_after_the_confirmation(org_a, bought, client_for, frozen):
    _order, subscription, card = bought
    _to_invoice(org_a, subscription)
    client = client_for(org_a.billing_admin)
    payment_page = reverse("billing:subscription_payment", args=[subscription.pk])
    assert f'id="remove-card-{card.pk}"' in client.get(payment_page).content.decode()
    url = reverse("billing:card_remove", args=[card.pk])
    page = client.get(url).content.decode()
    assert 'id="confirm-remove-card"' in page and "past orders and invoices keep its brand and last four digits" in page
    response = client.post(url, {"next": payment_page})
    assert response.status_code == 302 and response["Location"] == payment_page
    card.refresh_from_db()
    assert card.removed_at is not None
    assert client.get(url).status_code == 404  # a removed card has no page any more
    assert f'id="remove-card-{card.pk}"' not in client.get(payment_page).content.decode()


def test_an_outside_next_address_is_ignored(org_a, bought, client_for, frozen):
    _order, subscription, card = bought
    _to_invoice(org_a, subscription)
    response = client_for(org_a.billing_admin).post(reverse("billing:card_remove", args=[card.pk]),
                                                   {"next": "https://evil.example/"})
    assert response["Location"] == reverse("billing:subscriptions")


def test_another_billing_admin_is_told_and_refused(org_a, bought, client_for, frozen):
    _order, subscription, card = bought
    _to_invoice(org_a, subscription)
    from tests.factories import make_user

    other = make_user(org_a.tenant, "billing3", roles=["billing_admin"])
    client = client_for(other)
    url = reverse("billing:card_remove", args=[card.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'id="card-not-removable"' in page.content.decode()
    assert client.post(url).status_code == 403
    card.refresh_from_db()
    assert card.removed_at is None


def test_another_organization_gets_404_and_roles_without_billing_403(org_a, org_b, bought, client_for, frozen):
    _order, _subscription, card = bought
    url = reverse("billing:card_remove", args=[card.pk])
    client = client_for(org_b.global_admin)
    assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    for role_name in ("user_admin", "password_admin", "service_admin", "user"):
        assert client_for(org_a.member(role_name)).post(url).status_code == 403
    card.refresh_from_db()
    assert card.removed_at is None
    assert Subscription.objects.filter(tenant=org_a.tenant, payment_method=card).exists()
    assert Order.objects.filter(tenant=org_a.tenant).count() == 1
    assert PaymentMethod.objects.filter(tenant=org_a.tenant, removed_at__isnull=False).count() == 0


# --- racing a removal against "pay with this card" (PostgreSQL row locks) ----------------------------------------

@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_removal_racing_pay_with_this_card_never_leaves_a_subscription_on_a_removed_card(org_a):
    from billing.subscription_services import card_add

    subscription = buy(org_a, "STANDARDPACK", 2, now=T0).lines.get().subscription
    _to_invoice(org_a, subscription)
    admin = Actor.for_user(org_a.billing_admin)
    for attempt in range(3):
        spare = card_add(tenant=org_a.tenant, actor=admin, number="5555555555554444", exp_month=12, exp_year=2030,
                         cvc="123", holder_name="Spare", now=T0)
        outcomes, barrier = {}, threading.Barrier(2)

        def run(name, work):
            try:
                barrier.wait()
                work()
                outcomes[name] = "done"
            except (ValidationError, PermissionDenied) as error:
                outcomes[name] = getattr(error, "code", "refused")
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=("choose", lambda: subscription_payment_change(
                       subscription=subscription, method=spare, actor=admin))),
                   threading.Thread(target=run, args=("remove", lambda: card_remove(method=spare, actor=admin, now=LATER)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        spare.refresh_from_db()
        subscription.refresh_from_db()
        assert sorted(outcomes.values()) in (["done", "in_use"], ["done", "method"]), outcomes
        if spare.removed_at is not None:
            assert subscription.payment_method_id != spare.pk, attempt
        else:
            assert subscription.payment_method_id == spare.pk, attempt
        _to_invoice(org_a, subscription)

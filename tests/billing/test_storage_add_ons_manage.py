"""Running add-ons: their storage on the subscription pages, units up or down with the prorated preview (decimal and
currency rounding), decreases below the storage in use refused, more units only with a base plan, cancelled with
their last base plan, renewed and expired by the lifecycle with no effect on users' licenses; portal and API, other
organization 404, roles 403 and the partner billing lock."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing import selectors
from billing.access import BillingLocked
from billing.lifecycle import lifecycle_run
from billing.models import Order, Subscription
from billing.subscription_services import (
    quantity_change, quantity_quote, subscription_cancel, subscription_reactivate, subscription_renew,
)
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.billing.billinghelpers import buy, plan
from tests.billing.partnerlockhelpers import enrolled_partner, partner_actor
from tests.factories import make_tenant, make_user
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for
from users.licenses import license_conflicts, licenses_change
from users.models import LicenseAssignment

pytestmark = pytest.mark.django_db
ADD_ON = "SHAREPOINTSTORAGE"
SEPT = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)  # 181 of the term's 365 days left
WRITES = "/v1.0/tenantadmin/billing/subscriptions/{}/{}"


def _add_on(org, units=100, base="STANDARDPACK", **kwargs):
    """A paid base plan (5 licenses) and `units` of extra storage, both bought at T0."""
    buy(org, base, 5, **kwargs)
    return buy(org, ADD_ON, units, **kwargs).lines.get().subscription


def _actor(org):
    return Actor.for_user(org.billing_admin)


@pytest.fixture
def in_use(monkeypatch):
    """Storage in use: nothing in the product stores files yet (the selector answers 0), so tests set the figure the
    quota rules compare with."""
    figure = {"gb": Decimal(0)}
    monkeypatch.setattr(selectors, "storage_in_use_gb", lambda *, tenant: figure["gb"])
    return figure


# --- proration --------------------------------------------------------------------------------------------------

def test_more_storage_is_prorated_for_the_rest_of_the_term(org_a):
    add_on = _add_on(org_a)
    quote = quantity_quote(subscription=add_on, new_quantity=150, now=SEPT)
    line = quote.lines[0]
    # 50 units × 0.20 × 12 × 181/365 = 59.5068… → 59.51
    assert (line.quantity, line.amount, line.months) == (50, Decimal("59.51"), Decimal("5.9507"))
    assert line.description == "Extra file storage: +50 units for the rest of the term (181 of 365 days)"
    order = quantity_change(subscription=add_on, new_quantity=150, actor=_actor(org_a), now=SEPT)
    assert order.total == Decimal("59.51") and order.kind == Order.Kind.QUANTITY
    assert Subscription.objects.get(pk=add_on.pk).quantity == 150
    event = AuditEvent.objects.filter(tenant=org_a.tenant, action="subscription.quantity").get()
    assert event.changes["quantity"] == [100, 150]


def test_less_storage_is_credited_without_a_license_conflict_to_confirm(org_a):
    add_on = _add_on(org_a)
    order = quantity_change(subscription=add_on, new_quantity=40, actor=_actor(org_a), now=SEPT)
    # −60 × 0.20 × 12 × 181/365 = −71.4082… → −71.41, a credit note; nobody holds storage, so nothing to confirm
    assert order.total == Decimal("-71.41") and order.is_credit
    assert Subscription.objects.get(pk=add_on.pk).quantity == 40


def test_yen_storage_change_rounds_to_whole_yen_with_tax(db):
    tenant, admin = make_tenant("kyoto", country="JP")
    org = SimpleNamespace(tenant=tenant, billing_admin=admin)
    add_on = _add_on(org, 10, country="JP")
    quote = quantity_quote(subscription=add_on, new_quantity=40, now=SEPT)
    # 30 × 22 × 12 × 181/365 = 3,927.45… → 3,927 JPY; 10% tax 392.7 → 393
    assert (quote.currency, quote.subtotal, quote.tax, quote.total) == ("JPY", Decimal("3927"), Decimal("393"),
                                                                        Decimal("4320"))


def test_unit_rules(org_a):
    add_on = _add_on(org_a, 10)
    with pytest.raises(ValidationError, match="current 10 units"):
        quantity_quote(subscription=add_on, new_quantity=10, now=SEPT)
    with pytest.raises(ValidationError, match="at least one unit"):
        quantity_quote(subscription=add_on, new_quantity=0, now=SEPT)
    # No seat limit ties storage to users: far more units than the organization has people.
    assert quantity_quote(subscription=add_on, new_quantity=5000, now=SEPT).lines[0].quantity == 4990


# --- storage in use ---------------------------------------------------------------------------------------------

def test_a_decrease_below_the_storage_in_use_is_refused(org_a, in_use):
    add_on = _add_on(org_a)
    # Quota: 10 GB base + (5 E1 + 25 E3 trial licenses) × 0.5 GB + 100 GB of add-on = 125 GB.
    assert selectors.storage_summary(tenant=org_a.tenant).total_gb == Decimal("125")
    in_use["gb"] = Decimal("120")
    with pytest.raises(ValidationError) as refused:
        quantity_quote(subscription=add_on, new_quantity=90, now=SEPT)
    assert refused.value.code == "storage_in_use"
    assert refused.value.messages == ["Your organization uses 120 GB of storage; with 90 the quota would be 115 GB. "
                                      "Free up storage first, or keep at least 95."]
    with pytest.raises(ValidationError, match="keep at least 95"):
        quantity_change(subscription=add_on, new_quantity=90, actor=_actor(org_a), now=SEPT)
    assert Subscription.objects.get(pk=add_on.pk).quantity == 100
    assert not Order.objects.filter(tenant=org_a.tenant, kind=Order.Kind.QUANTITY).exists()
    quantity_change(subscription=add_on, new_quantity=95, actor=_actor(org_a), now=SEPT)
    assert Subscription.objects.get(pk=add_on.pk).quantity == 95


def test_fewer_licenses_also_lower_the_quota_and_are_refused_below_the_use(org_a, in_use):
    _add_on(org_a)
    base = Subscription.objects.get(tenant=org_a.tenant, sku=plan("STANDARDPACK"))
    in_use["gb"] = Decimal("124")
    with pytest.raises(ValidationError, match="keep at least 3"):  # 5 → 1 loses 2 GB: 123 GB < 124 GB
        quantity_quote(subscription=base, new_quantity=1, now=SEPT)
    assert quantity_quote(subscription=base, new_quantity=3, now=SEPT).lines[0].quantity == -2


def test_the_shipped_figure_of_storage_in_use_is_zero(org_a):
    # Nothing in the product stores the organization's files yet; the decrease is only bounded by one unit.
    add_on = _add_on(org_a)
    assert selectors.storage_in_use_gb(tenant=org_a.tenant) == 0
    assert quantity_quote(subscription=add_on, new_quantity=1, now=SEPT).lines[0].quantity == -99


# --- the base plan --------------------------------------------------------------------------------------------

def test_more_units_need_an_active_base_plan_but_fewer_do_not(org_a):
    add_on = _add_on(org_a)
    Subscription.objects.filter(tenant=org_a.tenant, sku=plan("STANDARDPACK")).update(
        status=Subscription.Status.WARNING)
    with pytest.raises(ValidationError, match="needs an active paid subscription"):
        quantity_quote(subscription=add_on, new_quantity=120, now=SEPT)
    assert quantity_quote(subscription=add_on, new_quantity=80, now=SEPT).total < 0


def test_cancelling_the_last_base_plan_cancels_its_add_ons_with_it(org_a, client_for, django_capture_on_commit_callbacks):
    add_on = _add_on(org_a)
    base = Subscription.objects.get(tenant=org_a.tenant, sku=plan("STANDARDPACK"))
    client = client_for(org_a.billing_admin)
    page = client.get(reverse("billing:subscription_cancel", args=[base.pk])).content.decode()
    notice = page.split('id="cancel-add-ons"')[1].split("</div>")[0]
    assert "Extra file storage" in notice and "100 GB" in notice
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(SEPT, tick=False):
        response = client.post(reverse("billing:subscription_cancel", args=[base.pk]),
                               {"reason": "too_expensive", "confirm": "on"}, follow=True)
    assert "Cancelled with it: Extra file storage" in response.content.decode()
    add_on.refresh_from_db()
    assert add_on.is_cancelled and add_on.cancel_reason == "Cancelled with Office 365 Enterprise E1"
    assert add_on.auto_renew is False and add_on.status == Subscription.Status.ENABLED
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="subscription.cancel").count() == 2
    assert sum("Extra file storage is cancelled" in m.subject for m in mail.outbox) == 2  # global and billing admin
    # Reactivating the add-on needs its base plan first.
    with pytest.raises(ValidationError, match="needs an active paid subscription"):
        subscription_reactivate(subscription=add_on, actor=_actor(org_a))
    subscription_reactivate(subscription=base, actor=_actor(org_a))
    subscription_reactivate(subscription=add_on, actor=_actor(org_a))
    assert not Subscription.objects.get(pk=add_on.pk).is_cancelled


def test_another_base_plan_keeps_the_add_on_running(org_a):
    add_on = _add_on(org_a)
    buy(org_a, "LITEPACK", 3)
    base = Subscription.objects.get(tenant=org_a.tenant, sku=plan("STANDARDPACK"))
    assert selectors.add_ons_depending_on(base) == []
    subscription_cancel(subscription=base, reason="Moving to P1", actor=_actor(org_a), now=SEPT)
    assert not Subscription.objects.get(pk=add_on.pk).is_cancelled


def test_cancelling_an_add_on_alone_leaves_the_base_plan(org_a):
    add_on = _add_on(org_a)
    subscription_cancel(subscription=add_on, reason="Not needed", actor=_actor(org_a), now=SEPT)
    assert not Subscription.objects.get(tenant=org_a.tenant, sku=plan("STANDARDPACK")).is_cancelled


# --- lifecycle --------------------------------------------------------------------------------------------------

def test_add_on_renews_and_expires_like_any_subscription_without_touching_licenses(org_a):
    add_on = _add_on(org_a)
    person = make_user(org_a.tenant, "holder", usage_location="US")
    licenses_change(user=person, actor=_actor(org_a), add=[plan("STANDARDPACK")])
    held = list(LicenseAssignment.objects.filter(tenant=org_a.tenant).values_list("user_id", "sku_id"))
    term_end = add_on.ends_at
    result = lifecycle_run(term_end)
    add_on.refresh_from_db()
    assert result["renewed"] >= 1 and add_on.status == Subscription.Status.ENABLED and add_on.ends_at > term_end
    renewal = Order.objects.get(tenant=org_a.tenant, kind=Order.Kind.RENEWAL, lines__subscription=add_on)
    assert renewal.total == Decimal("240.00")  # 100 × 0.20 × 12
    Subscription.objects.filter(pk=add_on.pk).update(payment_method=None)
    lifecycle_run(add_on.ends_at)
    add_on.refresh_from_db()
    assert (add_on.status, add_on.status_reason) == (Subscription.Status.WARNING, Subscription.Reason.PAYMENT_FAILED)
    lifecycle_run(add_on.ends_at + timedelta(days=30))
    add_on.refresh_from_db()
    assert add_on.status == Subscription.Status.SUSPENDED
    assert selectors.storage_summary(tenant=org_a.tenant).add_ons_gb == 0  # a disabled add-on adds nothing
    assert list(LicenseAssignment.objects.filter(tenant=org_a.tenant).values_list("user_id", "sku_id")) == held
    assert license_conflicts(tenant=org_a.tenant) == []


def test_an_add_on_whose_base_plan_lapsed_is_not_charged_at_its_renewal(org_a, django_capture_on_commit_callbacks):
    add_on = _add_on(org_a)
    # The base plan expired for non-payment (not cancelled): nothing carries the storage any more.
    Subscription.objects.filter(tenant=org_a.tenant, sku=plan("STANDARDPACK")).update(
        status=Subscription.Status.WARNING, status_reason=Subscription.Reason.PAYMENT_FAILED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle_run(add_on.ends_at)
    add_on.refresh_from_db()
    assert (add_on.status, add_on.status_reason) == (Subscription.Status.WARNING, Subscription.Reason.BASE_PLAN_ENDED)
    assert not Order.objects.filter(tenant=org_a.tenant, kind=Order.Kind.RENEWAL).exists()
    assert any("none of the plans it needs is active" in message.body for message in mail.outbox)
    lifecycle_run(add_on.ends_at)  # a second run changes nothing
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action__startswith="subscription.", target_id=str(add_on.pk),
                                     changes__status=["enabled", "warning"]).count() == 1


def test_renewing_an_expired_add_on_needs_a_base_plan(org_a):
    add_on = _add_on(org_a)
    Subscription.objects.filter(pk=add_on.pk).update(status=Subscription.Status.WARNING)
    Subscription.objects.filter(tenant=org_a.tenant, sku=plan("STANDARDPACK")).update(
        status=Subscription.Status.SUSPENDED)
    add_on.refresh_from_db()
    with pytest.raises(ValidationError, match="needs an active paid subscription"):
        subscription_renew(subscription=add_on, actor=_actor(org_a), now=SEPT)
    assert not Order.objects.filter(tenant=org_a.tenant, kind=Order.Kind.RENEWAL).exists()


# --- pages ------------------------------------------------------------------------------------------------------

def test_subscription_pages_show_storage_instead_of_licenses(org_a, client_for):
    add_on = _add_on(org_a, 10)
    client = client_for(org_a.billing_admin)
    listing = client.get(reverse("billing:subscriptions")).content.decode()
    assert '<span class="add-on-storage">10 GB</span>' in listing
    detail = client.get(reverse("billing:subscription", args=[add_on.pk])).content.decode()
    assert 'id="subscription-storage">10 GB (10 units)' in detail and 'id="subscription-quantity"' not in detail
    assert "Add or remove storage" in detail and "Price per unit per month" in detail
    page = client.get(reverse("billing:subscription_quantity", args=[add_on.pk]))
    assert "confirm_conflict" not in page.context["form"].fields
    assert page.context["form"].fields["quantity"].label == "New total number of units"
    assert 'id="storage-quota"' in page.content.decode()


def test_the_quantity_page_previews_and_changes_units(org_a, client_for):
    add_on = _add_on(org_a)
    client = client_for(org_a.billing_admin)
    url = reverse("billing:subscription_quantity", args=[add_on.pk])
    with time_machine.travel(SEPT, tick=False):
        preview = client.post(url, {"quantity": 150, "preview": "1", "key": "k-storage"})
        assert "59.51 USD" in preview.content.decode()
        decrease = client.post(url, {"quantity": 60, "preview": "1", "key": "k-storage"}).content.decode()
        assert 'id="storage-decrease-note"' in decrease and "license conflict" not in decrease
        response = client.post(url, {"quantity": 150, "confirm": "1", "key": "k-storage"}, follow=True)
    assert "Extra file storage is now 150 GB." in response.content.decode()
    assert Subscription.objects.get(pk=add_on.pk).quantity == 150


def test_the_quantity_page_shows_the_storage_refusal_on_the_field(org_a, client_for, in_use):
    add_on = _add_on(org_a)
    in_use["gb"] = Decimal("120")
    with time_machine.travel(SEPT, tick=False):
        response = client_for(org_a.billing_admin).post(reverse("billing:subscription_quantity", args=[add_on.pk]),
                                                        {"quantity": 10, "confirm": "1", "key": "k"})
    assert response.status_code == 200
    assert "keep at least 95" in " ".join(response.context["form"].errors["quantity"])
    assert Subscription.objects.get(pk=add_on.pk).quantity == 100


def test_another_organizations_add_on_is_404_and_roles_without_billing_get_403(org_a, org_b, client_for):
    add_on = _add_on(org_a)
    for name in ("billing:subscription", "billing:subscription_quantity", "billing:subscription_cancel"):
        url = reverse(name, args=[add_on.pk])
        assert client_for(org_b.billing_admin).get(url).status_code == 404, name
        assert client_for(org_a.user_admin).get(url).status_code == 403, name
    response = client_for(org_b.global_admin).post(reverse("billing:subscription_quantity", args=[add_on.pk]),
                                                   {"quantity": 1, "confirm": "1", "key": "x"})
    assert response.status_code == 404 and Subscription.objects.get(pk=add_on.pk).quantity == 100


def test_partner_lock_refuses_storage_changes_of_own_admins(org_a, client_for):
    _tenant, partner_admin = enrolled_partner()
    buy(org_a, "STANDARDPACK", 5, actor=partner_actor(partner_admin, org_a.tenant))
    add_on = buy(org_a, ADD_ON, 100, actor=partner_actor(partner_admin, org_a.tenant)).lines.get().subscription
    response = client_for(org_a.billing_admin).post(reverse("billing:subscription_quantity", args=[add_on.pk]),
                                                    {"quantity": 150, "confirm": "1", "key": "x"})
    assert response.status_code == 403
    with pytest.raises(BillingLocked):
        quantity_change(subscription=add_on, new_quantity=150, actor=_actor(org_a), now=SEPT)
    assert Subscription.objects.get(pk=add_on.pk).quantity == 100
    quantity_change(subscription=add_on, new_quantity=150, actor=partner_actor(partner_admin, org_a.tenant), now=SEPT)
    assert Subscription.objects.get(pk=add_on.pk).quantity == 150


# --- API --------------------------------------------------------------------------------------------------------

def test_api_changes_storage_units_and_refuses_other_organizations_and_locked_ones(client, org_a, org_b):
    add_on = _add_on(org_a)
    with time_machine.travel(SEPT, tick=False):
        api = Api(client, token_for(client, org_a.tenant, ["Billing.ReadWrite.All"]))
        preview = api.post(WRITES.format(add_on.pk, "changeQuantity"), {"quantity": 150, "preview": True})
        assert preview.status_code == 200 and preview.json()["total"] == "59.51"
        changed = api.post(WRITES.format(add_on.pk, "changeQuantity"), {"quantity": 60})  # no conflict to confirm
        assert changed.status_code == 201, changed.content
        assert changed.json()["total"] == "-47.61"  # −40 × 0.20 × 12 × 181/365 = −47.605…
        too_few = api.post(WRITES.format(add_on.pk, "changeQuantity"), {"quantity": 0})
        assert "at least one unit" in assert_graph_error(too_few, 400, "BadRequest")["message"]
        other = Api(client, token_for(client, org_b.tenant, ["Billing.ReadWrite.All"]))
        assert_graph_error(other.post(WRITES.format(add_on.pk, "changeQuantity"), {"quantity": 5}), 404,
                           "Request_ResourceNotFound")
        reader = Api(client, token_for(client, org_a.tenant, ["Billing.Read.All"]))
        assert_graph_error(reader.post(WRITES.format(add_on.pk, "changeQuantity"), {"quantity": 5}), 403,
                           "Authorization_RequestDenied")
        shape = api.get(f"/v1.0/directory/subscriptions/{add_on.pk}").json()
    assert Subscription.objects.get(pk=add_on.pk).quantity == 60
    assert shape["totalLicenses"] == 60 and shape["serviceStatus"][0]["appliesTo"] == "Company"


def test_api_storage_change_is_403_while_bought_through_a_partner(client, org_a):
    _tenant, partner_admin = enrolled_partner()
    buy(org_a, "STANDARDPACK", 5, actor=partner_actor(partner_admin, org_a.tenant))
    add_on = buy(org_a, ADD_ON, 100, actor=partner_actor(partner_admin, org_a.tenant)).lines.get().subscription
    api = Api(client, token_for(client, org_a.tenant, ["Billing.ReadWrite.All"]))
    response = api.post(WRITES.format(add_on.pk, "changeQuantity"), {"quantity": 150})
    assert_graph_error(response, 403, "Authorization_RequestDenied")
    assert "Fabrikam Partners" in response.json()["error"]["message"]
    assert Subscription.objects.get(pk=add_on.pk).quantity == 100

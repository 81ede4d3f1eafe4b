"""What a disabled subscription does to people (SPEC billing/ lifecycle: accounts whose licenses come only from it
lose its services; admins keep the admin center): the users' service status on the user page, on My profile and
in Graph's assignedPlans and licenseDetails, at a fixed query cost, and the license conflicts it causes."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.lifecycle import lifecycle_run
from billing.models import Subscription
from billing.selectors import banner_forget, cached_plan_states, plan_states, suspended_sku_ids
from billing.subscription_services import quantity_change
from tenantadmin.actors import Actor
from tests.billing.billinghelpers import T0, buy, plan
from tests.factories import make_user
from tests.tenantadmin.api.apihelpers import Api, token_for
from users.license_status import license_statuses, service_statuses
from users.models import LicenseAssignment

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)
EXPIRES = T0 + 30 * DAY  # the sign-up trial's end, set below
SUSPENDS = EXPIRES + 30 * DAY  # BILLING_WARNING_DAYS later
EXCHANGE_E3 = "efb87545-963c-4e0d-99df-69c6916d9eb0"
SHAREPOINT_E3 = "5dbe027f-2339-4123-9542-606e4d348a72"


@pytest.fixture
def trial(org_a):
    """A's sign-up trial of E3 with fixed dates, and E3 licenses for the plain user and the global admin."""
    subscription = org_a.tenant.subscriptions.get(is_trial=True)
    Subscription.objects.filter(pk=subscription.pk).update(term_started_at=T0, ends_at=EXPIRES, status_changed_at=T0)
    for person in (org_a.user, org_a.global_admin):
        LicenseAssignment.objects.create(tenant=org_a.tenant, user=person, sku=subscription.sku)
    banner_forget(org_a.tenant.pk)
    subscription.refresh_from_db()
    return subscription


def _expire(trial):
    lifecycle_run(EXPIRES)
    trial.refresh_from_db()
    assert trial.status == Subscription.Status.WARNING


def _suspend(trial):
    lifecycle_run(SUSPENDS)
    trial.refresh_from_db()
    assert trial.status == Subscription.Status.SUSPENDED


def _states(org, person):
    return {status.sku.part_number: status.state
            for status in license_statuses(tenant=org.tenant, assignments=person.licenses.select_related("sku"))}


# --- the reading ---------------------------------------------------------------------------------------------

def test_a_plans_state_follows_its_best_subscription(org_a, trial):
    e3 = trial.sku_id
    assert _states(org_a, org_a.user) == {"ENTERPRISEPACK": "enabled"}
    _expire(trial)
    assert _states(org_a, org_a.user) == {"ENTERPRISEPACK": "warning"} and e3 not in suspended_sku_ids(tenant=org_a.tenant)
    _suspend(trial)
    assert _states(org_a, org_a.user) == {"ENTERPRISEPACK": "suspended"} and e3 in suspended_sku_ids(tenant=org_a.tenant)
    # Another, active subscription of the same plan gives the licenses back.
    Subscription.objects.create(tenant=org_a.tenant, sku=trial.sku, quantity=5)
    banner_forget(org_a.tenant.pk)
    assert _states(org_a, org_a.user) == {"ENTERPRISEPACK": "enabled"} and not suspended_sku_ids(tenant=org_a.tenant)


def test_a_deleted_plan_reads_deleted_and_the_cache_follows_the_lifecycle(org_a, trial):
    _suspend(trial)
    assert cached_plan_states(tenant=org_a.tenant)[str(trial.sku_id)]["state"] == "suspended"
    lifecycle_run(SUSPENDS + 90 * DAY)  # the lifecycle drops the cached digest with each step
    assert cached_plan_states(tenant=org_a.tenant)[str(trial.sku_id)]["state"] == "deleted"
    assert plan_states(tenant=org_a.tenant)[trial.sku_id] == "deleted"


def test_services_take_the_best_license_offering_them(org_a, trial):
    buy(org_a, "EXCHANGESTANDARD", 2, now=T0)
    LicenseAssignment.objects.create(tenant=org_a.tenant, user=org_a.user, sku=plan("EXCHANGESTANDARD"))
    _suspend(trial)
    services = {entry["name"]: entry["state"] for entry in service_statuses(
        license_statuses(tenant=org_a.tenant, assignments=org_a.user.licenses.select_related("sku")))}
    assert services["Exchange Online"] == "enabled"  # Exchange Online (Plan 1) is still active
    assert services["SharePoint Online"] == services["Office Professional Plus"] == "suspended"


# --- the user page -------------------------------------------------------------------------------------------

def test_the_user_page_says_a_suspended_license_gives_no_service_and_links_billing_admins(org_a, trial, client_for):
    _suspend(trial)
    url = reverse("users:detail", args=[org_a.user.pk])
    page = client_for(org_a.global_admin).get(url).content.decode()
    badge = page.split(f'id="license-status-{trial.sku_id}"')[1]
    assert badge.startswith(">Suspended<")
    assert "cannot use its services" in page
    assert f'href="{reverse("billing:subscription", args=[trial.pk])}" id="license-subscription-{trial.sku_id}"' in page
    # A user management admin sees the state, without a link to billing they cannot open.
    page = client_for(org_a.user_admin).get(url).content.decode()
    assert "cannot use its services" in page and f'id="license-subscription-{trial.sku_id}"' not in page


def test_the_user_page_shows_the_grace_period_end(org_a, trial, client_for):
    _expire(trial)
    page = client_for(org_a.global_admin).get(reverse("users:detail", args=[org_a.user.pk])).content.decode()
    assert page.split(f'id="license-status-{trial.sku_id}"')[1].startswith(">Warning<")
    assert "keeps its services until April 30, 2026" in page


def test_an_active_license_shows_no_warning(org_a, trial, client_for):
    page = client_for(org_a.global_admin).get(reverse("users:detail", args=[org_a.user.pk])).content.decode()
    assert page.split(f'id="license-status-{trial.sku_id}"')[1].startswith(">Active<")
    assert f'id="license-status-text-{trial.sku_id}"' not in page


def test_the_user_page_costs_no_extra_query_for_the_states(org_a, trial, client_for, django_assert_max_num_queries):
    client = client_for(org_a.global_admin)
    active = reverse("users:detail", args=[org_a.user.pk])
    unlicensed = reverse("users:detail", args=[org_a.user_admin.pk])
    cache.clear()
    with CaptureQueriesContext(connection) as without:
        client.get(unlicensed)
    _suspend(trial)
    cache.clear()
    # The states ride on the billing banner's cached query, which the page reads anyway.
    with django_assert_max_num_queries(len(without)):
        assert "cannot use its services" in client.get(active).content.decode()


# --- My profile: the admin center stays, the services go --------------------------------------------------------

def test_a_plain_user_sees_the_suspended_services_on_my_profile(org_a, trial, client_for):
    _suspend(trial)
    page = client_for(org_a.user).get(reverse("users:profile")).content.decode()
    services = page.split('id="your-services"')[1].split('id="remove-photo-form"')[0]
    assert "Exchange Online" in services and "SharePoint Online" in services
    assert services.count(">Suspended<") == 5 and "cannot use this service now" in services


def test_my_profile_lists_active_services_and_says_when_there_are_none(org_a, trial, client_for):
    page = client_for(org_a.user).get(reverse("users:profile")).content.decode()
    assert page.split('id="your-services"')[1].count(">Active<") == 5
    page = client_for(org_a.user_admin).get(reverse("users:profile")).content.decode()
    assert 'id="no-services"' in page


def test_a_global_admin_whose_only_license_is_suspended_keeps_the_admin_center(org_a, trial, client_for):
    assert list(org_a.global_admin.licenses.values_list("sku__part_number", flat=True)) == ["ENTERPRISEPACK"]
    _suspend(trial)
    client = client_for(org_a.global_admin)
    for name in ("tenantadmin:overview", "users:list", "billing:subscriptions", "users:licenses"):
        assert client.get(reverse(name)).status_code == 200, name
    own = client.get(reverse("users:profile")).content.decode()
    assert ">Suspended<" in own.split('id="your-services"')[1]


# --- Graph -----------------------------------------------------------------------------------------------------

def _plans_by_id(body):
    return {plan["servicePlanId"]: plan for plan in body["assignedPlans"]}


def test_graph_assigned_plans_follow_the_subscription(client, org_a, trial):
    api = Api(client, token_for(client, org_a.tenant, ["User.Read.All"]))
    url = f"/v1.0/users/{org_a.user.pk}"
    plans = _plans_by_id(api.get(url).json())
    exchange = plans[EXCHANGE_E3]
    assert exchange["capabilityStatus"] == "Enabled" and exchange["service"] == "exchange"
    assert exchange["assignedDateTime"].endswith("Z") and len(plans) == 5
    assert {plan["service"] for plan in plans.values()} == {"exchange", "SharePoint", "MicrosoftCommunicationsOnline",
                                                           "MicrosoftOffice"}
    _expire(trial)
    assert {p["capabilityStatus"] for p in api.get(url).json()["assignedPlans"]} == {"Warning"}
    _suspend(trial)
    assert {p["capabilityStatus"] for p in api.get(url).json()["assignedPlans"]} == {"Suspended"}
    selected = api.get(url, {"$select": "assignedPlans"}).json()
    assert set(selected) - {"@odata.context"} == {"id", "assignedPlans"}


def test_graph_a_plan_switched_off_for_the_user_reads_deleted(client, org_a, trial):
    LicenseAssignment.objects.filter(user=org_a.user).update(disabled_plans=[SHAREPOINT_E3])
    api = Api(client, token_for(client, org_a.tenant, ["User.Read.All"]))
    plans = _plans_by_id(api.get(f"/v1.0/users/{org_a.user.pk}").json())
    assert plans[SHAREPOINT_E3]["capabilityStatus"] == "Deleted" and plans[EXCHANGE_E3]["capabilityStatus"] == "Enabled"


def test_graph_license_details_are_disabled_while_suspended(client, org_a, trial):
    api = Api(client, token_for(client, org_a.tenant, ["User.Read.All"]))
    url = f"/v1.0/users/{org_a.user.pk}/licenseDetails"
    [detail] = api.get(url).json()["value"]
    assert {plan["provisioningStatus"] for plan in detail["servicePlans"]} == {"Success"}
    _expire(trial)  # the grace period still gives the services
    [detail] = api.get(url).json()["value"]
    assert {plan["provisioningStatus"] for plan in detail["servicePlans"]} == {"Success"}
    _suspend(trial)
    [detail] = api.get(url).json()["value"]
    assert {plan["provisioningStatus"] for plan in detail["servicePlans"]} == {"Disabled"}
    assert {plan["servicePlanName"] for plan in detail["servicePlans"]} >= {"EXCHANGE_S_ENTERPRISE", "OFFICESUBSCRIPTION"}


@pytest.mark.parametrize("count", [3, 30])
def test_graph_user_pages_cost_the_same_whatever_the_number_of_licensed_users(count, client, org_a, trial,
                                                                              django_assert_max_num_queries):
    for n in range(count):
        person = make_user(org_a.tenant, f"licensed{n}")
        LicenseAssignment.objects.create(tenant=org_a.tenant, user=person, sku=trial.sku)
    _suspend(trial)
    api = Api(client, token_for(client, org_a.tenant, ["User.Read.All"]))
    cache.clear()
    # The token, the users, their licenses, their addresses, and one query for every plan's state.
    with django_assert_max_num_queries(5):
        body = api.get("/v1.0/users").json()
    licensed = [user for user in body["value"] if user["assignedPlans"]]
    assert len(licensed) == count + 2
    assert {p["capabilityStatus"] for user in licensed for p in user["assignedPlans"]} == {"Suspended"}


# --- license conflicts after a suspension or a decrease ---------------------------------------------------------

def test_a_suspension_shows_the_license_conflict_on_the_overview_and_the_users_page(
        org_a, trial, client_for, django_capture_on_commit_callbacks):
    client = client_for(org_a.global_admin)
    for name in ("tenantadmin:overview", "users:list"):  # the figures are cached: no conflict yet
        assert 'id="license-conflict-alert"' not in client.get(reverse(name)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle_run(EXPIRES)
    assert 'id="license-conflict-alert"' not in client.get(reverse("users:list")).content.decode()  # grace period
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle_run(SUSPENDS)
    for name in ("tenantadmin:overview", "users:list"):
        page = client.get(reverse(name)).content.decode()
        assert 'id="license-conflict-alert"' in page and "Office 365 Enterprise E3: 2 assigned, 0 available" in page, name


def test_a_decrease_shows_the_license_conflict_at_once(org_a, client_for, django_capture_on_commit_callbacks):
    subscription = buy(org_a, "STANDARDPACK", 3, now=T0).lines.get().subscription
    for n in range(3):
        LicenseAssignment.objects.create(tenant=org_a.tenant, user=make_user(org_a.tenant, f"e1holder{n}"),
                                         sku=subscription.sku)
    client = client_for(org_a.global_admin)
    assert 'id="license-conflict-alert"' not in client.get(reverse("users:list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        quantity_change(subscription=subscription, new_quantity=1, actor=Actor.for_user(org_a.billing_admin),
                        conflict_confirmed=True, now=T0 + 10 * DAY)
    for name in ("users:list", "tenantadmin:overview"):
        page = client.get(reverse(name)).content.decode()
        assert "Office 365 Enterprise E1: 3 assigned, 1 available" in page, name


def test_other_organizations_states_are_their_own(org_a, org_b, trial, client, client_for):
    _suspend(trial)
    assert str(trial.sku_id) not in cached_plan_states(tenant=org_b.tenant) or cached_plan_states(
        tenant=org_b.tenant)[str(trial.sku_id)]["state"] == "enabled"
    assert client_for(org_b.global_admin).get(reverse("users:detail", args=[org_a.user.pk])).status_code == 404
    api = Api(client, token_for(client, org_b.tenant, ["User.Read.All"]))
    assert api.get(f"/v1.0/users/{org_a.user.pk}/licenseDetails").status_code == 404


def test_roles_without_user_reading_get_403_on_the_user_page(org_a, trial, client_for):
    with time_machine.travel(T0, tick=False):
        assert client_for(org_a.billing_admin).get(reverse("users:detail", args=[org_a.user.pk])).status_code == 403

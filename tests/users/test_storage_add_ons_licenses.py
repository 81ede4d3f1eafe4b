"""Add-ons (plans that apply to the organization, e.g. extra storage) are never licenses: every assignment path
refuses them (create wizard, edit, bulk edit, bulk import, the services, Graph assignLicense with a 400), the Licenses
page and license conflicts leave them out, and Graph's subscribedSkus lists them with appliesTo "Company"."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing.models import Subscription
from domains.services import subdomains_allowed
from tenantadmin.actors import Actor
from tests.billing.billinghelpers import buy, plan
from tests.factories import make_user
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for
from tests.users.test_edit_many_users import bulk, results
from tests.users.test_import_support import user_row, verify, write_csv
from users.bulk_edit import bulk_edit_start
from users.bulk_import.services import import_check_licenses, import_license_choices
from users.licenses import (
    NotAssignable, cached_license_conflicts, license_conflicts, license_units, licenses_assign_new_users,
    licenses_change,
)
from users.models import LicenseAssignment
from users.selectors import license_filter_choices
from users.services import user_create, user_licenses_set

pytestmark = pytest.mark.django_db
ADD_ON = "SHAREPOINTSTORAGE"


@pytest.fixture
def add_on(org_a):
    """Organization A: 5 paid E1 licenses and 100 units of extra storage (the add-on's own subscription)."""
    buy(org_a, "STANDARDPACK", 5)
    buy(org_a, ADD_ON, 100)
    return plan(ADD_ON)


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    def run(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return run


def _person(org, alias="lena"):
    return make_user(org.tenant, alias, usage_location="NL")


def _nothing_assigned(org, sku):
    return not LicenseAssignment.objects.filter(tenant=org.tenant, sku=sku).exists()


# --- the services -----------------------------------------------------------------------------------------------

def test_the_license_service_refuses_an_add_on_and_changes_nothing(org_a, add_on):
    person = _person(org_a)
    with pytest.raises(NotAssignable) as refused:
        licenses_change(user=person, actor=Actor.system("t"), add=[plan("STANDARDPACK"), add_on])
    assert refused.value.code == "not_assignable" and "cannot be assigned to users" in refused.value.messages[0]
    assert not LicenseAssignment.objects.filter(user=person).exists()  # all or nothing: not even E1


def test_creating_a_user_with_an_add_on_is_refused_on_the_licenses_field(org_a, add_on):
    with pytest.raises(ValidationError) as refused:
        user_create(tenant=org_a.tenant, actor=Actor.for_user(org_a.user_admin), alias="nina", display_name="Nina",
                    domain=org_a.tenant.initial_domain, usage_location="NL", licenses=[add_on])
    assert "cannot be assigned to users" in refused.value.message_dict["licenses"][0]
    assert not org_a.tenant.users.filter(upn__startswith="nina@").exists()


def test_the_one_user_edit_service_refuses_an_add_on(org_a, add_on):
    person = _person(org_a)
    with pytest.raises(ValidationError) as refused:
        user_licenses_set(user=person, actor=Actor.for_user(org_a.user_admin), add=[add_on])
    assert "cannot be assigned to users" in refused.value.message_dict["licenses"][0]
    assert _nothing_assigned(org_a, add_on)


def test_new_users_of_an_import_never_get_an_add_on(org_a, add_on):
    people = [_person(org_a, f"imp{n}") for n in range(2)]
    with pytest.raises(NotAssignable):
        licenses_assign_new_users(tenant=org_a.tenant, users=people, skus=[add_on])
    assert _nothing_assigned(org_a, add_on)
    with pytest.raises(ValidationError, match="free licenses"):
        import_check_licenses(tenant=org_a.tenant, skus=[add_on], users_to_create=1, usage_location="NL")
    assert add_on.pk not in {units.sku.pk for units in import_license_choices(tenant=org_a.tenant)}


def test_license_units_leave_add_ons_out(org_a, add_on):
    parts = {units.sku.part_number for units in license_units(tenant=org_a.tenant)}
    assert "STANDARDPACK" in parts and ADD_ON not in parts


# --- the pages --------------------------------------------------------------------------------------------------

def test_the_create_wizard_does_not_offer_an_add_on_and_refuses_a_forged_one(org_a, add_on, client_for):
    client = client_for(org_a.user_admin)
    client.get(reverse("users:create"))
    client.post(reverse("users:create_details"), {"first_name": "Nina", "last_name": "N", "display_name": "Nina",
                                                  "alias": "nina", "domain": org_a.tenant.initial_domain})
    client.post(reverse("users:create_settings"), {"usage_location": "NL"})
    page = client.get(reverse("users:create_licenses"))
    assert "Office 365 Enterprise E1" in page.content.decode() and "Extra file storage" not in page.content.decode()
    response = client.post(reverse("users:create_licenses"), {"skus": [str(add_on.pk)]})
    assert response.status_code == 200 and "skus" in response.context["form"].errors


def test_the_edit_licenses_tab_does_not_offer_an_add_on_and_refuses_a_forged_one(org_a, add_on, client_for):
    person = _person(org_a)
    client = client_for(org_a.user_admin)
    url = reverse("users:edit_licenses", args=[person.pk])
    assert "Extra file storage" not in client.get(url).content.decode()
    response = client.post(url, {"skus": [str(add_on.pk)]})
    assert response.status_code == 200 and "skus" in response.context["form"].errors
    assert _nothing_assigned(org_a, add_on)


def test_bulk_edit_does_not_offer_an_add_on_and_a_forged_job_fails_each_row(org_a, add_on, client_for, post,
                                                                             django_capture_on_commit_callbacks):
    people = [_person(org_a, f"many{n}") for n in range(2)]
    client = client_for(org_a.user_admin)
    page = client.post(reverse("users:bulk_edit"), {"ids": [str(p.pk) for p in people]})
    assert "Extra file storage" not in page.content.decode()
    response = bulk(post, client, [p.pk for p in people], license_mode="add", skus=[str(add_on.pk)])
    assert response.status_code == 200 and "skus" in response.context["form"].errors
    # A job started with an add-on anyway (an old form, a script): every row fails and says why.
    with django_capture_on_commit_callbacks(execute=True):
        job = bulk_edit_start(tenant=org_a.tenant, actor=Actor.for_user(org_a.user_admin), user_ids=[p.pk for p in people],
                              changes={}, license_mode="add", sku_ids=[add_on.pk])
    job.refresh_from_db()
    assert (job.total, job.failed) == (2, 2)
    rows = results(job)
    assert all("cannot be assigned to users" in row[1] for row in rows.values()), rows
    assert _nothing_assigned(org_a, add_on)


def test_the_import_wizard_does_not_offer_an_add_on_and_refuses_a_forged_one(org_a, add_on, client_for, tmp_path,
                                                                             django_capture_on_commit_callbacks):
    client = client_for(org_a.global_admin)
    path = write_csv(tmp_path, [user_row("imp", org_a.tenant.initial_domain)])
    verify_job = verify(client, org_a.tenant, path, django_capture_on_commit_callbacks)
    client.post(reverse("users:import_settings", args=[verify_job.pk]), {"sign_in": "allowed", "usage_location": "NL"})
    page = client.get(reverse("users:import_licenses", args=[verify_job.pk])).content.decode()
    assert "Office 365 Enterprise E1" in page and "Extra file storage" not in page
    response = client.post(reverse("users:import_licenses", args=[verify_job.pk]), {"skus": [str(add_on.pk)]})
    assert response.status_code == 200 and "skus" in response.context["form"].errors


def test_the_licenses_page_and_conflicts_leave_add_ons_out(org_a, add_on, client_for):
    page = client_for(org_a.user_admin).get(reverse("users:licenses"))
    parts = {row["units"].sku.part_number for row in page.context["rows"]}
    assert "STANDARDPACK" in parts and ADD_ON not in parts
    assert "Extra file storage" not in page.content.decode()
    assert client_for(org_a.user_admin).get(reverse("users:license_plan", args=[add_on.pk])).status_code == 404
    # Even a stray assignment of an add-on (data loaded by hand) is no license conflict.
    Subscription.objects.filter(tenant=org_a.tenant, sku=add_on).update(status=Subscription.Status.SUSPENDED)
    LicenseAssignment.objects.create(tenant=org_a.tenant, user=_person(org_a), sku=add_on)
    assert ADD_ON not in {units.sku.part_number for units in license_conflicts(tenant=org_a.tenant)}
    assert ADD_ON not in {units.sku.part_number for units in cached_license_conflicts(tenant=org_a.tenant)}


def test_custom_view_license_filter_does_not_offer_add_ons(org_a, add_on):
    names = {name for _pk, name in license_filter_choices(tenant=org_a.tenant)}
    assert "Office 365 Enterprise E1" in names and "Extra file storage" not in names


def test_an_add_on_alone_does_not_make_a_small_business_organization_enterprise(db):
    from types import SimpleNamespace

    from tests.factories import make_tenant

    tenant, admin = make_tenant("smallco", plan=None)
    org = SimpleNamespace(tenant=tenant, billing_admin=admin)
    buy(org, "LITEPACK", 5)
    buy(org, ADD_ON, 50)
    assert not subdomains_allowed(tenant)  # sub-domains still need an enterprise plan


# --- Graph ------------------------------------------------------------------------------------------------------

def test_assign_license_with_an_add_on_is_a_400_and_changes_nothing(client, org_a, org_b, add_on):
    person = _person(org_a)
    writer = Api(client, token_for(client, org_a.tenant, ["User.ReadWrite.All"]))
    body = {"addLicenses": [{"skuId": str(plan("STANDARDPACK").pk)}, {"skuId": str(add_on.pk)}], "removeLicenses": []}
    error = assert_graph_error(writer.post(f"/v1.0/users/{person.pk}/assignLicense", body), 400, "Request_BadRequest")
    assert error["message"] == f"License {add_on.pk} applies to the company and cannot be assigned to a user."
    assert not LicenseAssignment.objects.filter(user=person).exists()
    other = Api(client, token_for(client, org_b.tenant, ["User.ReadWrite.All"]))
    assert_graph_error(other.post(f"/v1.0/users/{person.pk}/assignLicense", body), 404, "Request_ResourceNotFound")
    reader = Api(client, token_for(client, org_a.tenant, ["User.Read.All"]))
    assert_graph_error(reader.post(f"/v1.0/users/{person.pk}/assignLicense", body), 403, "Authorization_RequestDenied")


def test_an_add_on_the_organization_does_not_hold_is_the_usual_400(client, org_a):
    person = _person(org_a)
    writer = Api(client, token_for(client, org_a.tenant, ["User.ReadWrite.All"]))
    body = {"addLicenses": [{"skuId": str(plan(ADD_ON).pk)}], "removeLicenses": []}
    error = assert_graph_error(writer.post(f"/v1.0/users/{person.pk}/assignLicense", body), 400, "Request_BadRequest")
    assert "does not correspond to a valid company License" in error["message"]


def test_subscribed_skus_lists_add_ons_as_company_units_and_users_plans_as_user(client, org_a, org_b, add_on):
    person = _person(org_a)
    licenses_change(user=person, actor=Actor.system("t"), add=[plan("STANDARDPACK")])
    reader = Api(client, token_for(client, org_a.tenant, ["Organization.Read.All"]))
    by_part = {item["skuPartNumber"]: item for item in reader.get("/v1.0/subscribedSkus").json()["value"]}
    storage = by_part[ADD_ON]
    assert storage["appliesTo"] == "Company" and storage["skuId"] == str(add_on.pk)
    assert storage["prepaidUnits"] == {"enabled": 100, "suspended": 0, "warning": 0, "lockedOut": 0}
    assert storage["consumedUnits"] == 0 and storage["capabilityStatus"] == "Enabled"
    assert [plan_["appliesTo"] for plan_ in storage["servicePlans"]] == ["Company"]
    e1 = by_part["STANDARDPACK"]
    assert e1["appliesTo"] == "User" and e1["consumedUnits"] == 1 and e1["prepaidUnits"]["enabled"] == 5
    assert {plan_["appliesTo"] for plan_ in e1["servicePlans"]} == {"User"}
    selected = reader.get("/v1.0/subscribedSkus", {"$select": "skuPartNumber,appliesTo"}).json()["value"]
    assert {"id": storage["id"], "skuPartNumber": ADD_ON, "appliesTo": "Company"} in selected
    other = Api(client, token_for(client, org_b.tenant, ["Organization.Read.All"]))
    assert ADD_ON not in {item["skuPartNumber"] for item in other.get("/v1.0/subscribedSkus").json()["value"]}

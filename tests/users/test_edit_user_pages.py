"""Editing one user: Details (rename), Settings (roles, sign-in, location), Licenses (confirm removal), More (addresses)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import Sku
from domains.models import Domain
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tenantadmin.roles import Role
from users.licenses import licenses_change
from users.models import LicenseAssignment, ProxyAddress, RoleAssignment

pytestmark = pytest.mark.django_db


def url(name, person):
    return reverse(f"users:edit_{name}", args=[person.pk])


def details_of(person, **changes):
    data = {name: getattr(person, name) for name in (
        "first_name", "last_name", "display_name", "job_title", "department", "office", "office_phone", "mobile_phone",
        "fax", "street", "city", "state", "postal_code", "country_name")}
    return {**data, "alias": person.alias, "domain": person.domain, **changes}


def test_details_are_saved_and_audited(org_a, client_for):
    client = client_for(org_a.user_admin)
    response = client.post(url("details", org_a.user), details_of(org_a.user, job_title="Clerk", city="Delft"))
    assert response.status_code == 302
    org_a.user.refresh_from_db()
    assert (org_a.user.job_title, org_a.user.city) == ("Clerk", "Delft")
    event = AuditEvent.objects.get(action="user.update", target_id=str(org_a.user.pk))
    assert event.changes["job_title"] == ["", "Clerk"]


def test_rename_to_another_domain_moves_the_primary_address_and_keeps_the_old_one(org_a, client_for):
    Domain.objects.create(tenant=org_a.tenant, name="contoso.com", status="verified", verified_at=timezone.now())
    person = org_a.user
    old = person.upn
    client_for(org_a.user_admin).post(url("details", person), details_of(person, domain="contoso.com"))
    person.refresh_from_db()
    assert person.upn == f"{person.alias}@contoso.com"
    addresses = {proxy.address: proxy.is_primary for proxy in ProxyAddress.objects.filter(user=person)}
    assert addresses == {person.upn: True, old: False}


def test_rename_to_a_taken_name_is_a_field_error(org_a, client_for):
    response = client_for(org_a.user_admin).post(url("details", org_a.user),
                                                 details_of(org_a.user, alias=org_a.user_admin.alias))
    assert "already used" in response.context["form"].errors["alias"][0]


def test_user_admin_cannot_edit_an_administrator(org_a, client_for):
    client = client_for(org_a.user_admin)
    for name in ("details", "settings", "licenses", "more"):
        assert client.get(url(name, org_a.billing_admin)).status_code == 403
    assert client.post(url("details", org_a.billing_admin), details_of(org_a.billing_admin, city="X")).status_code == 403


def test_only_global_admins_change_roles(org_a, client_for):
    person = org_a.user
    data = {"roles": [Role.BILLING_ADMIN], "is_active": "1", "usage_location": "NL", "alternate_email": "p@example.net"}
    client_for(org_a.user_admin).post(url("settings", person), data)
    assert not RoleAssignment.objects.filter(user=person).exists()
    person.refresh_from_db()
    assert person.usage_location.code == "NL"  # the rest of the tab was saved
    client_for(org_a.global_admin).post(url("settings", person), data)
    assert set(RoleAssignment.objects.filter(user=person).values_list("role", flat=True)) == {Role.BILLING_ADMIN}


def test_nobody_removes_the_last_global_admin(org_a, client_for):
    admin = org_a.global_admin
    data = {"roles": [], "is_active": "1", "usage_location": "", "alternate_email": admin.alternate_email}
    response = client_for(admin).post(url("settings", admin), data)
    assert "last global administrator" in str(response.context["form"].errors)
    assert RoleAssignment.objects.filter(user=admin, role=Role.GLOBAL_ADMIN).exists()


def test_block_sign_in_keeps_licenses(org_a, client_for):
    person = org_a.user
    person.usage_location = "NL"
    person.save(update_fields=["usage_location"])
    licenses_change(user=person, actor=Actor.system("tests"), add=[Sku.objects.get(part_number="ENTERPRISEPACK")])
    client_for(org_a.user_admin).post(url("settings", person), {"is_active": "0", "usage_location": "NL"})
    person.refresh_from_db()
    assert not person.is_active and LicenseAssignment.objects.filter(user=person).exists()


def test_location_cannot_be_cleared_while_licenses_are_held(org_a, client_for):
    person = org_a.user
    person.usage_location = "NL"
    person.save(update_fields=["usage_location"])
    licenses_change(user=person, actor=Actor.system("tests"), add=[Sku.objects.get(part_number="ENTERPRISEPACK")])
    response = client_for(org_a.user_admin).post(url("settings", person), {"is_active": "1", "usage_location": ""})
    assert "usage_location" in response.context["form"].errors


def test_removing_a_license_asks_for_confirmation_naming_the_services(org_a, client_for):
    person = org_a.user
    person.usage_location = "NL"
    person.save(update_fields=["usage_location"])
    sku = Sku.objects.get(part_number="ENTERPRISEPACK")
    client = client_for(org_a.user_admin)
    assert client.post(url("licenses", person), {"skus": [str(sku.pk)]}).status_code == 302
    assert LicenseAssignment.objects.filter(user=person, sku=sku).exists()
    page = client.post(url("licenses", person), {}).content.decode()
    assert 'id="remove-warning"' in page and sku.service_plans[0].get("displayName", sku.service_plans[0]["servicePlanName"]) in page
    assert LicenseAssignment.objects.filter(user=person, sku=sku).exists()  # not yet
    client.post(url("licenses", person), {"confirm": "1"})
    assert not LicenseAssignment.objects.filter(user=person, sku=sku).exists()


def test_assigning_without_a_location_is_a_clear_error(org_a, client_for):
    sku = Sku.objects.get(part_number="ENTERPRISEPACK")
    response = client_for(org_a.user_admin).post(url("licenses", org_a.user), {"skus": [str(sku.pk)]})
    assert response.status_code == 200
    assert "user location" in str(response.context["form"].errors).lower()


def test_addresses_add_make_primary_and_remove(org_a, client_for):
    person = org_a.user
    client = client_for(org_a.user_admin)
    alias = f"sales@{org_a.tenant.initial_domain}"
    client.post(url("more", person), {"action": "add", "address": alias})
    added = ProxyAddress.objects.get(user=person, address=alias)
    response = client.post(url("more", person), {"action": "add", "address": "x@not-ours.example"})
    assert "verified domains" in str(response.context["form"].errors)
    client.post(url("more", person), {"action": "primary", "proxy_id": str(added.pk)})
    assert ProxyAddress.objects.get(user=person, is_primary=True).address == alias
    old_primary = ProxyAddress.objects.get(user=person, address=person.upn)
    client.post(url("more", person), {"action": "remove", "proxy_id": str(added.pk)})
    assert ProxyAddress.objects.filter(pk=added.pk).exists()  # the primary stays
    client.post(url("more", person), {"action": "remove", "proxy_id": str(old_primary.pk)})
    assert not ProxyAddress.objects.filter(pk=old_primary.pk).exists()


def test_an_address_of_another_account_cannot_be_added(org_a, client_for):
    response = client_for(org_a.user_admin).post(url("more", org_a.user), {"action": "add", "address": org_a.user_admin.upn})
    assert "already used" in str(response.context["form"].errors)


@pytest.mark.parametrize("role_name", ["billing_admin", "password_admin", "service_admin", "user"])
def test_roles_without_the_right_get_403(org_a, client_for, role_name):
    client = client_for(org_a.member(role_name))
    for name in ("details", "settings", "licenses", "more"):
        assert client.get(url(name, org_a.user)).status_code == 403


def test_other_tenant_gets_404(org_a, org_b, client_for):
    client = client_for(org_b.global_admin)
    for name in ("details", "settings", "licenses", "more"):
        assert client.get(url(name, org_a.user)).status_code == 404
        assert client.post(url(name, org_a.user), {"action": "add", "address": "x@y.z"}).status_code == 404


def test_detail_page_links_to_edit_only_when_allowed(org_a, client_for):
    detail = reverse("users:detail", args=[org_a.billing_admin.pk])
    assert 'id="edit-user"' not in client_for(org_a.user_admin).get(detail).content.decode()
    assert 'id="edit-user"' in client_for(org_a.global_admin).get(detail).content.decode()

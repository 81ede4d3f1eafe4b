"""The create-user wizard: steps in the session, Back, nothing written before the last step, the password once."""

import pytest
from django.core import mail
from django.urls import reverse

from billing.models import Sku, Subscription
from tenantadmin.roles import Role
from users.licenses import license_units
from users.models import LicenseAssignment, RoleAssignment, User

pytestmark = pytest.mark.django_db

DETAILS = {"first_name": "Geoff", "last_name": "Grant", "display_name": "Geoff Grant", "alias": "geoff",
           "job_title": "Engineer", "city": "Utrecht"}


def step(name):
    return reverse(f"users:create_{name}")


def walk_to_send(client, tenant, *, role="", alternate="", skus=()):
    client.get(reverse("users:create"))
    response = client.post(step("details"), {**DETAILS, "domain": tenant.initial_domain})
    assert response.status_code == 302 and response["Location"] == step("settings"), response.content.decode()[:3000]
    response = client.post(step("settings"), {"role": role, "alternate_email": alternate, "usage_location": "NL"})
    assert response["Location"] == step("licenses")
    response = client.post(step("licenses"), {"skus": [str(sku.pk) for sku in skus]})
    assert response["Location"] == step("send")


def test_the_whole_wizard_creates_the_user_with_a_license_and_shows_the_password_once(org_a, client_for,
                                                                                        django_capture_on_commit_callbacks):
    client = client_for(org_a.user_admin)
    sku = Sku.objects.get(part_number="ENTERPRISEPACK")
    walk_to_send(client, org_a.tenant, skus=[sku])
    assert not User.objects.filter(upn__startswith="geoff@").exists()  # nothing is written before the last step
    page = client.get(step("send")).content.decode()
    assert f"geoff@{org_a.tenant.initial_domain}" in page and sku.name in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step("send"), {"send": "on", "notify": "boss@example.net; it@example.net"})
    assert response["Location"] == step("results")
    user = User.objects.get(upn=f"geoff@{org_a.tenant.initial_domain}")
    assert user.job_title == "Engineer" and user.usage_location.code == "NL" and user.must_change_password
    assert LicenseAssignment.objects.filter(user=user, sku=sku).exists()
    results = client.get(step("results")).content.decode()
    password = results.split('id="temporary-password">')[1].split("<")[0]
    assert user.check_password(password) and password not in response["Location"]
    assert sorted(m.to[0] for m in mail.outbox if user.upn in m.subject) == ["boss@example.net", "it@example.net"]
    again = client.get(step("results")).content.decode()
    assert password not in again and 'id="temporary-password-gone"' in again


def test_steps_cannot_be_skipped_and_back_keeps_the_answers(org_a, client_for):
    client = client_for(org_a.user_admin)
    client.get(reverse("users:create"))
    assert client.get(step("licenses"))["Location"] == step("details")
    client.post(step("details"), {**DETAILS, "domain": org_a.tenant.initial_domain})
    response = client.post(step("settings"), {"usage_location": "DE", "back": "1"})
    assert response["Location"] == step("details")
    page = client.get(step("details")).content.decode()
    assert 'value="Geoff Grant"' in page and 'id="step-details"' in page
    assert 'value="DE" selected' in client.get(step("settings")).content.decode()


def test_field_errors_are_shown_per_field_and_nothing_is_saved(org_a, client_for):
    client = client_for(org_a.user_admin)
    client.get(reverse("users:create"))
    bad = {**DETAILS, "alias": "geoff..x", "domain": org_a.tenant.initial_domain, "display_name": "",
           "postal_code": "9" * 41}
    response = client.post(step("details"), bad)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"alias", "display_name", "postal_code"}
    response = client.post(step("details"), {**DETAILS, "alias": org_a.user.alias, "domain": org_a.tenant.initial_domain})
    assert "is already used by another account" in response.context["form"].errors["alias"][0]


def test_only_global_admins_give_roles_and_admins_need_an_alternate_address(org_a, client_for):
    client = client_for(org_a.user_admin)
    walk_to_send(client, org_a.tenant, role=Role.BILLING_ADMIN)
    client.post(step("send"), {})
    user = User.objects.get(upn__startswith="geoff@")
    assert not RoleAssignment.objects.filter(user=user).exists()  # the disabled role field is ignored

    client = client_for(org_a.global_admin)
    client.get(reverse("users:create"))
    client.post(step("details"), {**DETAILS, "alias": "boss", "domain": org_a.tenant.initial_domain})
    response = client.post(step("settings"), {"role": Role.BILLING_ADMIN, "usage_location": "NL"})
    assert "alternate_email" in response.context["form"].errors
    client.post(step("settings"), {"role": Role.BILLING_ADMIN, "usage_location": "NL", "alternate_email": "b@example.net"})
    client.post(step("licenses"), {})
    client.post(step("send"), {})
    boss = User.objects.get(upn__startswith="boss@")
    assert set(boss.role_codes) == {Role.BILLING_ADMIN}


def test_licenses_step_lists_only_plans_with_free_units_and_explains_how_to_get_more(org_a, client_for):
    client = client_for(org_a.user_admin)
    client.get(reverse("users:create"))
    client.post(step("details"), {**DETAILS, "domain": org_a.tenant.initial_domain})
    client.post(step("settings"), {"usage_location": "NL"})
    sku = Sku.objects.get(part_number="ENTERPRISEPACK")
    unit = next(u for u in license_units(tenant=org_a.tenant) if u.sku == sku)
    assert f"{unit.free} of {unit.total} free" in client.get(step("licenses")).content.decode()
    Subscription.objects.filter(tenant=org_a.tenant, sku=sku).update(quantity=unit.assigned)
    page = client.get(step("licenses")).content.decode()
    assert 'id="no-free-licenses"' in page and reverse("billing:purchase") in page


def test_license_taken_meanwhile_sends_the_admin_back_to_the_licenses_step(org_a, client_for):
    client = client_for(org_a.user_admin)
    sku = Sku.objects.get(part_number="ENTERPRISEPACK")
    walk_to_send(client, org_a.tenant, skus=[sku])
    unit = next(u for u in license_units(tenant=org_a.tenant) if u.sku == sku)
    Subscription.objects.filter(tenant=org_a.tenant, sku=sku).update(quantity=unit.assigned)
    response = client.post(step("send"), {})
    assert response.status_code == 200 and response.context["step"] == "licenses"
    assert "no free" in response.context["form"].errors["skus"][0]
    assert not User.objects.filter(upn__startswith="geoff@").exists()


def test_send_step_refuses_more_than_five_or_bad_addresses(org_a, client_for):
    client = client_for(org_a.user_admin)
    walk_to_send(client, org_a.tenant)
    six = "; ".join(f"a{n}@example.net" for n in range(6))
    assert "notify" in client.post(step("send"), {"send": "on", "notify": six}).context["form"].errors
    assert "notify" in client.post(step("send"), {"send": "on", "notify": "a@example.net; nope"}).context["form"].errors
    assert not User.objects.filter(upn__startswith="geoff@").exists()


@pytest.mark.parametrize("role_name", ["billing_admin", "password_admin", "service_admin", "user"])
def test_roles_without_the_right_get_403(org_a, client_for, role_name):
    client = client_for(org_a.member(role_name))
    for name in ("create", "create_details", "create_send", "create_results"):
        assert client.get(reverse(f"users:{name}")).status_code == 403


def test_other_tenants_domain_cannot_be_chosen(org_a, org_b, client_for):
    client = client_for(org_a.user_admin)
    client.get(reverse("users:create"))
    response = client.post(step("details"), {**DETAILS, "domain": org_b.tenant.initial_domain})
    assert "domain" in response.context["form"].errors

"""Password expiry: the policy page, the warning window at sign-in and the forced change once expired."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from users.password_services import password_policy_update

pytestmark = pytest.mark.django_db

POLICY = "/admin/password-policy/"
WARNING = "Your password expires in"


def sign_in(client, user, password):
    return client.post(reverse("users:signin"), {"username": user.upn, "password": password})


def landing_after_sign_in(client, user, password):
    response = sign_in(client, user, password)
    assert response.status_code == 302
    return response, client.get(response["Location"]).content.decode()


@pytest.fixture
def at(org_a, time_machine):
    """at(days_before_expiry): freeze the clock that long before org_a.user's password expires."""

    def move(days_before_expiry):
        time_machine.move_to(org_a.user.password_expires_at() - timedelta(days=days_before_expiry), tick=False)

    return move


def test_the_url_name():
    assert reverse("users:password_policy") == POLICY


def test_no_warning_15_days_before_expiry(client, org_a, password, at):
    at(15)
    _response, page = landing_after_sign_in(client, org_a.user, password)
    assert WARNING not in page


def test_the_warning_starts_14_days_before_expiry_with_a_link_to_change_password(client, org_a, password, at):
    at(14)
    _response, page = landing_after_sign_in(client, org_a.user, password)
    assert "Your password expires in 14 days." in page
    assert f'<a href="{reverse("users:password_change")}" class="alert-link">Change password</a>' in page


def test_one_day_before_expiry_the_warning_says_one_day(client, org_a, password, at):
    at(1)
    _response, page = landing_after_sign_in(client, org_a.user, password)
    assert "Your password expires in 1 day." in page


def test_an_expired_password_leads_to_the_forced_change_page(client, org_a, password, at):
    at(-1)
    response = sign_in(client, org_a.user, password)
    assert response["Location"] == reverse("users:password_change")
    page = client.get(response["Location"]).content.decode()
    assert "Your password expired on" in page
    response = client.post(reverse("users:password_change"), {
        "current_password": password, "new_password": "Brand#New#Pass9", "confirm_password": "Brand#New#Pass9"})
    assert response["Location"] == reverse("users:profile")
    assert client.get(reverse("users:profile")).status_code == 200


def test_the_next_page_is_kept_through_the_forced_change(client, org_a, password, at):
    at(-1)
    response = client.post(reverse("users:signin"), {"username": org_a.global_admin.upn, "password": password,
                                                      "next": "/admin/organization/"})
    assert response["Location"] == f"{reverse('users:password_change')}?next=%2Fadmin%2Forganization%2F"


@pytest.mark.parametrize("days_before_expiry", [1, -30])
def test_without_expiry_there_is_never_a_warning_or_a_forced_change(client, org_a, password, at, days_before_expiry):
    at(days_before_expiry)
    password_policy_update(tenant=org_a.tenant, actor=Actor.system("tests"), passwords_expire=False,
                           password_expiry_days=90)
    response, page = landing_after_sign_in(client, org_a.user, password)
    assert response["Location"] == reverse("users:profile") and WARNING not in page


def test_the_policy_page_saves_and_audits(org_a, client_for):
    client = client_for(org_a.global_admin)
    page = client.get(POLICY).content.decode()
    assert "From 14 days before a password expires" in page
    response = client.post(POLICY, {"passwords_expire": "yes", "password_expiry_days": "60"})
    assert response.status_code == 302
    org_a.tenant.refresh_from_db()
    assert org_a.tenant.passwords_expire and org_a.tenant.password_expiry_days == 60
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="organization.password_policy")
    assert event.changes == {"password_expiry_days": [90, 60]}

    client.post(POLICY, {"passwords_expire": "no", "password_expiry_days": ""})
    org_a.tenant.refresh_from_db()
    assert not org_a.tenant.passwords_expire and org_a.tenant.password_expiry_days == 60


@pytest.mark.parametrize("days, message", [
    ("13", "Ensure this value is greater than or equal to 14."),
    ("731", "Ensure this value is less than or equal to 730."),
    ("abc", "Enter a whole number."),
    ("", "Enter after how many days passwords expire."),
])
def test_the_policy_page_refuses_days_outside_14_to_730(org_a, client_for, days, message):
    response = client_for(org_a.global_admin).post(POLICY, {"passwords_expire": "yes", "password_expiry_days": days})
    assert response.status_code == 200
    assert response.context["form"].errors["password_expiry_days"] == [message]
    org_a.tenant.refresh_from_db()
    assert org_a.tenant.password_expiry_days == 90
    assert not AuditEvent.objects.filter(action="organization.password_policy").exists()


@pytest.mark.parametrize("days", [13, 731])
def test_the_service_refuses_days_outside_14_to_730(org_a, days):
    with pytest.raises(ValidationError) as error:
        password_policy_update(tenant=org_a.tenant, actor=Actor.system("tests"), passwords_expire=True,
                               password_expiry_days=days)
    assert set(error.value.message_dict) == {"password_expiry_days"}


@pytest.mark.parametrize("role_name", ["billing_admin", "user_admin", "password_admin", "service_admin", "user"])
def test_only_global_admins_change_the_policy(org_a, client_for, role_name):
    client = client_for(org_a.member(role_name))
    assert client.get(POLICY).status_code == 403
    assert client.post(POLICY, {"passwords_expire": "no", "password_expiry_days": "90"}).status_code == 403
    org_a.tenant.refresh_from_db()
    assert org_a.tenant.passwords_expire


def test_shortening_the_policy_applies_to_older_passwords_at_once(org_a, client_for, time_machine):
    time_machine.move_to(org_a.user.password_changed_at + timedelta(days=20), tick=False)
    password_policy_update(tenant=org_a.tenant, actor=Actor.system("tests"), passwords_expire=True,
                           password_expiry_days=14)
    assert client_for(org_a.user).get(reverse("users:profile"))["Location"].startswith(reverse("users:password_change"))

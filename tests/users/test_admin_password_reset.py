"""Administrator password reset: role rules, the temporary password shown once, the optional mail."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tenantadmin.services.app_registrations import app_registration_create
from users.password_services import password_reset_by_admin

pytestmark = pytest.mark.django_db


def reset_url(user):
    return reverse("users:password_reset_admin", args=[user.pk])


def done_url(user):
    return reverse("users:password_reset_admin_done", args=[user.pk])


def shown_password(page: str) -> str | None:
    match = re.search(r'id="temporary-password">([^<]+)<', page)
    return match.group(1) if match else None


def assert_unchanged(user, password):
    user.refresh_from_db()
    assert user.check_password(password) and not user.must_change_password
    assert not AuditEvent.objects.filter(action="user.password_reset", target_id=str(user.pk)).exists()


def test_the_url_names(org_a):
    assert reset_url(org_a.user) == f"/admin/users/{org_a.user.pk}/reset-password/"
    assert reverse("users:signin_unlock", args=[org_a.user.pk]) == f"/admin/users/{org_a.user.pk}/unlock/"
    assert reverse("users:signin_locks") == "/admin/sign-in-locks/"


def test_a_global_admin_resets_a_user_and_sees_the_temporary_password_once(org_a, client_for, password):
    admin = client_for(org_a.global_admin)
    confirm = admin.get(reset_url(org_a.user)).content.decode()
    assert org_a.user.display_name in confirm and org_a.user.upn in confirm
    response = admin.post(reset_url(org_a.user), {"notify": ""})
    assert response.status_code == 302 and response["Location"] == done_url(org_a.user)
    temporary = shown_password(admin.get(done_url(org_a.user)).content.decode())
    assert temporary
    again = admin.get(done_url(org_a.user)).content.decode()
    assert shown_password(again) is None and temporary not in again and 'id="temporary-password-gone"' in again

    org_a.user.refresh_from_db()
    assert org_a.user.must_change_password and org_a.user.check_password(temporary)
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="user.password_reset")
    assert event.actor_id == org_a.global_admin.pk and temporary not in str(event.changes)

    # The person signs in with it and must change it before anything else; the old one is gone.
    person = Client()
    assert person.post(reverse("users:signin"), {"username": org_a.user.upn, "password": password}).status_code == 200
    response = person.post(reverse("users:signin"), {"username": org_a.user.upn, "password": temporary})
    assert response["Location"] == reverse("users:password_change")
    assert person.get(reverse("users:profile"))["Location"].startswith(reverse("users:password_change"))


def test_the_temporary_password_is_mailed_to_each_address(org_a, client_for, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    admin = client_for(org_a.global_admin)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reset_url(org_a.user), {"notify": "boss@example.net; helpdesk@example.org"})
    temporary = shown_password(admin.get(done_url(org_a.user)).content.decode())
    assert sorted(m.to[0] for m in mailoutbox) == ["boss@example.net", "helpdesk@example.org"]
    for message in mailoutbox:
        assert len(message.to) == 1 and org_a.user.upn in message.subject
        assert temporary in message.body and temporary in message.alternatives[0][0]
    event = AuditEvent.objects.get(action="user.password_reset")
    assert event.changes["notified"] == [None, ["boss@example.net", "helpdesk@example.org"]]


@pytest.mark.parametrize("notify, message", [
    ("a@example.net; b@example.net; c@example.net; d@example.net; e@example.net; f@example.net",
     "Enter at most 5 addresses."),
    ("boss@example.net; not-an-address", "not-an-address is not a valid e-mail address."),
])
def test_too_many_or_bad_addresses_change_nothing(org_a, client_for, password, mailoutbox,
                                                  django_capture_on_commit_callbacks, notify, message):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(org_a.global_admin).post(reset_url(org_a.user), {"notify": notify})
    assert response.status_code == 200
    assert response.context["form"].errors["notify"] == [message]
    assert_unchanged(org_a.user, password)
    assert mailoutbox == []


@pytest.mark.parametrize("role_name", ["password_admin", "user_admin"])
def test_password_and_user_admins_reset_plain_users_but_not_admins(org_a, client_for, password, role_name):
    client = client_for(org_a.member(role_name))
    for admin in (org_a.global_admin, org_a.billing_admin, org_a.service_admin):
        assert client.get(reset_url(admin)).status_code == 403
        assert client.post(reset_url(admin)).status_code == 403
        assert_unchanged(admin, password)
    assert client.post(reset_url(org_a.user)).status_code == 302
    org_a.user.refresh_from_db()
    assert org_a.user.must_change_password


def test_a_global_admin_resets_other_admins(org_a, client_for):
    assert client_for(org_a.global_admin).post(reset_url(org_a.password_admin)).status_code == 302


@pytest.mark.parametrize("role_name", ["global_admin", "password_admin"])
def test_nobody_resets_their_own_password_here(org_a, client_for, password, role_name):
    person = org_a.member(role_name)
    assert client_for(person).post(reset_url(person)).status_code == 403
    assert_unchanged(person, password)


@pytest.mark.parametrize("role_name", ["billing_admin", "service_admin", "user"])
def test_roles_without_password_reset_get_403(org_a, client_for, password, role_name):
    assert client_for(org_a.member(role_name)).post(reset_url(org_a.user)).status_code == 403
    assert_unchanged(org_a.user, password)


def test_another_organizations_user_is_not_found(org_a, org_b, client_for, password):
    client = client_for(org_b.global_admin)
    assert client.get(reset_url(org_a.user)).status_code == 404
    assert client.post(reset_url(org_a.user)).status_code == 404
    assert client.get(done_url(org_a.user)).status_code == 404
    assert_unchanged(org_a.user, password)


def test_the_service_enforces_the_role_rules_for_apps_and_people(org_a, org_b):
    with pytest.raises(PermissionDenied):
        password_reset_by_admin(user=org_a.user_admin, actor=Actor.for_user(org_a.password_admin))
    with pytest.raises(PermissionDenied):
        password_reset_by_admin(user=org_a.user, actor=Actor.for_user(org_b.global_admin))
    assert password_reset_by_admin(user=org_a.user, actor=Actor.for_user(org_a.password_admin))
    app = app_registration_create(tenant=org_a.tenant, actor=Actor.system("tests"), display_name="Script",
                                  permissions=["User.ReadWrite.All"])
    with pytest.raises(PermissionDenied):
        password_reset_by_admin(user=org_a.global_admin, actor=Actor.for_app(app))
    assert password_reset_by_admin(user=org_a.user, actor=Actor.for_app(app))

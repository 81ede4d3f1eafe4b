"""Sign-in, keep me signed in, sign-out, generic errors and where people land."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

GENERIC_ERROR = "Your user ID or password is incorrect"


def sign_in(client, username, password, keep=False, next_url=""):
    data = {"username": username, "password": password, "next": next_url}
    if keep:
        data["keep_signed_in"] = "on"
    return client.post(reverse("users:signin"), data)


def test_admin_lands_on_overview_and_user_on_profile(client, org_a, password):
    response = sign_in(client, org_a.global_admin.upn, password)
    assert response.status_code == 302 and response["Location"] == reverse("tenantadmin:overview")
    client.logout()
    response = sign_in(client, org_a.user.upn.upper(), password)  # user IDs are case-insensitive
    assert response.status_code == 302 and response["Location"] == reverse("users:profile")


def test_without_keep_me_signed_in_the_session_ends_with_the_browser(client, org_a, password):
    sign_in(client, org_a.user.upn, password)
    assert client.session.get_expire_at_browser_close()


def test_keep_me_signed_in_makes_a_persistent_session(client, org_a, password, settings):
    sign_in(client, org_a.user.upn, password, keep=True)
    assert not client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert client.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE


@pytest.mark.parametrize("who", ["wrong_password", "unknown_user", "blocked_user"])
def test_failed_sign_in_gives_one_generic_message(client, org_a, password, who):
    if who == "blocked_user":
        org_a.user.is_active = False
        org_a.user.save(update_fields=["is_active"])
    username = "nobody@contosoa.tenantadmin.example" if who == "unknown_user" else org_a.user.upn
    response = sign_in(client, username, "Wrong#Password1" if who == "wrong_password" else password)
    assert response.status_code == 200
    assert GENERIC_ERROR in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account(client, org_a, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, org_a.user.upn, "Wrong#Password1")
    response = sign_in(client, org_a.user.upn, password)  # even the right password is refused now
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_next_parameter_is_followed_only_inside_the_site(client, org_a, password):
    assert sign_in(client, org_a.global_admin.upn, password, next_url="/admin/organization/")["Location"] == "/admin/organization/"
    client.logout()
    assert sign_in(client, org_a.global_admin.upn, password, next_url="https://evil.example/")["Location"] == reverse("tenantadmin:overview")


def test_sign_out_needs_post_and_ends_the_session(client_for, org_a):
    client = client_for(org_a.global_admin)
    assert client.get(reverse("users:signout")).status_code == 405
    response = client.post(reverse("users:signout"))
    assert response.status_code == 302 and response["Location"] == reverse("users:signin")
    assert client.get(reverse("tenantadmin:overview")).status_code == 302


def test_display_name_and_sign_out_are_in_the_header(client_for, org_a):
    page = client_for(org_a.global_admin).get(reverse("tenantadmin:overview")).content.decode()
    assert org_a.global_admin.display_name in page and 'id="sign-out"' in page


def test_staff_cannot_use_the_portal_sign_in(client, db, django_user_model):
    django_user_model.objects.create_superuser("support@operator.example", "Staff#Pass123")
    response = sign_in(client, "support@operator.example", "Staff#Pass123")
    assert "staff site" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("tenantadmin:overview"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("users:signin"))
    assert client.get("/")["Location"] == reverse("users:signin")

"""Change password: every policy rule with its message, the wrong current password, mismatches, success."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from users.password_services import password_change

pytestmark = pytest.mark.django_db

URL = "/password/change/"


def change(client, current, new, confirm=None, **extra):
    return client.post(URL, {"current_password": current, "new_password": new,
                             "confirm_password": new if confirm is None else confirm, **extra})


def assert_nothing_changed(user, password):
    user.refresh_from_db()
    assert user.check_password(password)
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


def test_the_url_name():
    assert reverse("users:password_change") == URL


def test_every_member_has_the_change_page(org_a, client_for):
    page = client_for(org_a.user).get(URL)
    assert page.status_code == 200
    assert 'id="password-change-form"' in page.content.decode()


@pytest.mark.parametrize("new_password, message", [
    ("Sh0rt#", "Use 8 to 16 characters."),
    ("Much#Too#Long#Password1", "Use 8 to 16 characters."),
    ("no#upper#case1", "Include an upper-case letter."),
    ("NO#LOWER#CASE1", "Include a lower-case letter."),
    ("NoDigitNoSymbol", "Include a digit or a symbol."),
    ("Has Space#12", "Do not use spaces, tabs or line breaks."),
    ("Tab\tInside#12", "Do not use spaces, tabs or line breaks."),
    ("My#Plain#Pass1", "Do not include your user name."),
])
def test_each_policy_rule_is_a_field_error_and_nothing_changes(org_a, client_for, password, new_password, message):
    response = change(client_for(org_a.user), password, new_password)  # org_a.user's alias is "plain"
    assert response.status_code == 200
    assert message in response.content.decode()
    assert message in response.context["form"].errors["new_password"]
    assert_nothing_changed(org_a.user, password)


def test_all_broken_rules_are_listed_at_once(org_a, client_for, password):
    errors = change(client_for(org_a.user), password, "plain").context["form"].errors["new_password"]
    assert len(errors) == 4  # length, upper case, digit or symbol, user name


def test_a_wrong_current_password_is_refused(org_a, client_for, password):
    response = change(client_for(org_a.user), "Not#MyPassword1", "Brand#New#Pass9")
    assert response.context["form"].errors["current_password"] == ["Your current password is not correct."]
    assert_nothing_changed(org_a.user, password)


def test_a_mismatched_confirmation_is_refused(org_a, client_for, password):
    response = change(client_for(org_a.user), password, "Brand#New#Pass9", "Brand#New#Pass8")
    assert response.context["form"].errors["confirm_password"] == ["The passwords do not match."]
    assert_nothing_changed(org_a.user, password)


def test_the_new_password_must_differ_from_the_current_one(org_a, client_for, password):
    response = change(client_for(org_a.user), password, password)
    assert response.context["form"].errors["new_password"] == [
        "Choose a new password that differs from your current one."]
    assert_nothing_changed(org_a.user, password)


def test_a_change_keeps_this_session_ends_others_and_is_audited(org_a, client_for, password):
    other_browser = Client()
    other_browser.force_login(org_a.user, backend="users.backends.PrincipalNameBackend")
    client = client_for(org_a.user)
    before = org_a.user.password_changed_at
    response = change(client, password, "Brand#New#Pass9")
    assert response.status_code == 302 and response["Location"] == reverse("users:profile")
    page = client.get(reverse("users:profile"))
    assert page.status_code == 200 and "Your password was changed." in page.content.decode()
    assert other_browser.get(reverse("users:profile")).status_code == 302  # signed out there
    org_a.user.refresh_from_db()
    assert org_a.user.check_password("Brand#New#Pass9") and not org_a.user.must_change_password
    assert org_a.user.password_changed_at > before
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="user.password_change")
    assert event.actor_id == org_a.user.pk and "Brand#New#Pass9" not in str(event.changes)


def test_after_a_change_an_admin_goes_to_a_safe_next_page_or_the_overview(org_a, client_for, password):
    client = client_for(org_a.global_admin)
    response = change(client, password, "Brand#New#Pass9", next="/admin/organization/")
    assert response["Location"] == "/admin/organization/"
    response = change(client, "Brand#New#Pass9", "Other#New#Pass9", next="https://evil.example/")
    assert response["Location"] == reverse("tenantadmin:overview")


def test_the_service_names_the_field_it_refuses(org_a, password):
    with pytest.raises(ValidationError) as error:
        password_change(user=org_a.user, actor=Actor.for_user(org_a.user), current_password="nope",
                        new_password="Brand#New#Pass9")
    assert set(error.value.message_dict) == {"current_password"}
    with pytest.raises(ValidationError) as error:
        password_change(user=org_a.user, actor=Actor.for_user(org_a.user), current_password=password,
                        new_password="weak")
    assert set(error.value.message_dict) == {"new_password"}


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("users:signin"))

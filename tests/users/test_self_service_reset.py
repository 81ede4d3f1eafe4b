"""Administrator self-service password reset through the pages: every branch of the flow, in a browser session."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from captcha.models import CaptchaStore
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tenantadmin import sms
from tenantadmin.models import AuditEvent
from users.models import PasswordResetRequest

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Lighthouse#42"
NEUTRAL = "If this account can use self-service reset, we sent a message to its alternate e-mail address."
ASK_ADMIN = "Ask your administrator to reset your password"
LINK_INVALID = "This link is no longer valid"
START = reverse("users:password_forgot")
CODE = reverse("users:password_forgot_code")
NEW = reverse("users:password_forgot_new")


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "tenantadmin.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def clock(time_machine):
    """clock(seconds) freezes the time at `seconds` after the start of the test."""
    start = timezone.now().replace(microsecond=0)

    def at(seconds: float = 0):
        time_machine.move_to(start + timedelta(seconds=seconds), tick=False)
        return start + timedelta(seconds=seconds)

    at(0)
    return at


def with_mobile(user, phone="+1 425 555 0100"):
    user.mobile_phone = phone
    user.save(update_fields=["mobile_phone"])
    return user


@pytest.fixture
def admin(org_a):
    return with_mobile(org_a.global_admin)


def captcha_fields() -> dict:
    key = CaptchaStore.generate_key()
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


@pytest.fixture
def ask_reset(django_capture_on_commit_callbacks):
    """ask_reset(client, upn) -> the start page's response, with the mail sent."""

    def ask(client, upn):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(START, {"upn": upn, **captcha_fields()})

    return ask


def without_csrf_token(response) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "CSRF", response.content.decode())


def link_in(mail) -> str:
    return urlsplit(re.search(r"https?://\S+/password/forgot/link/\S+/", mail.body).group()).path


def code_in(message) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


@pytest.fixture
def at_code_step(client, admin, ask_reset, mailoutbox, sms_outbox):
    """The browser `client` has opened the link; returns the code sent by SMS."""
    ask_reset(client, admin.upn)
    assert client.get(link_in(mailoutbox[-1])).status_code == 302
    return code_in(sms_outbox[-1])


@pytest.fixture
def at_new_step(client, at_code_step):
    assert client.post(CODE, {"code": at_code_step})["Location"] == NEW


def set_password(client, password=NEW_PASSWORD, confirm=None):
    return client.post(NEW, {"new_password": password, "confirm_password": password if confirm is None else confirm})


def test_sign_in_page_links_to_forgot_password(client):
    assert f'href="{START}"' in client.get(reverse("users:signin")).content.decode()


def test_admin_resets_the_password_in_one_browser_session(client, admin, clock, ask_reset, mailoutbox, sms_outbox,
                                                          django_capture_on_commit_callbacks):
    admin.display_name = "Grace O'Hara"  # plain text mail is not HTML-escaped
    admin.save(update_fields=["display_name"])
    assert client.get(START).status_code == 200
    response = ask_reset(client, admin.upn)
    assert response.status_code == 200 and NEUTRAL in response.content.decode()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [admin.alternate_email]
    link = link_in(mailoutbox[0])
    assert "10 minutes" in mailoutbox[0].body and "/unsubscribe/" in mailoutbox[0].body
    assert f"Hello {admin.display_name}," in mailoutbox[0].body

    clock(60)
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == CODE
    assert len(sms_outbox) == 1 and sms_outbox[0].to == admin.mobile_phone
    assert sms_outbox[0].body.startswith("Your security code is ")
    assert client.get(CODE).status_code == 200

    clock(120)
    response = client.post(CODE, {"code": code_in(sms_outbox[0])})
    assert response.status_code == 302 and response["Location"] == NEW
    assert client.get(NEW).status_code == 200

    finished_at = clock(180)
    with django_capture_on_commit_callbacks(execute=True):
        response = set_password(client)
    assert response.status_code == 302 and response["Location"] == reverse("users:signin")
    assert "Your password was changed" in client.get(reverse("users:signin")).content.decode()
    admin.refresh_from_db()
    assert admin.check_password(NEW_PASSWORD) and not admin.must_change_password
    assert admin.password_changed_at == finished_at
    assert PasswordResetRequest.objects.get(user=admin).completed_at == finished_at
    event = AuditEvent.objects.get(tenant=admin.tenant, action="user.password_self_reset")
    assert event.actor == admin and event.target_id == str(admin.pk) and event.ip_address == "127.0.0.1"
    assert NEW_PASSWORD not in str(event.changes)
    confirmation = mailoutbox[1]
    assert confirmation.to == [admin.alternate_email] and confirmation.subject == "Your password was changed"

    response = client.post(reverse("users:signin"), {"username": admin.upn, "password": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("tenantadmin:overview")


def test_a_non_administrator_is_told_to_ask_an_administrator(client, org_a, ask_reset, mailoutbox):
    with_mobile(org_a.user)
    response = ask_reset(client, org_a.user.upn)
    assert ASK_ADMIN in response.content.decode() and NEUTRAL not in response.content.decode()
    assert mailoutbox == [] and not PasswordResetRequest.objects.exists()


@pytest.mark.parametrize("case", ["no_mobile", "no_alternate_email", "sign_in_blocked", "unknown"])
def test_accounts_that_cannot_use_self_service_get_the_same_neutral_answer(client, admin, org_a, ask_reset,
                                                                          mailoutbox, case):
    upn = admin.upn
    if case == "no_mobile":
        admin.mobile_phone = ""
    elif case == "no_alternate_email":
        admin.alternate_email = ""
    elif case == "sign_in_blocked":
        admin.is_active = False
    else:
        upn = "nobody@contosoa.tenantadmin.example"
    admin.save()
    page = without_csrf_token(ask_reset(client, upn))
    assert NEUTRAL in page and ASK_ADMIN in page
    assert mailoutbox == [] and not PasswordResetRequest.objects.exists()
    # The page an eligible administrator gets is the very same.
    eligible = with_mobile(org_a.user_admin)
    assert without_csrf_token(ask_reset(Client(), eligible.upn)) == page
    assert len(mailoutbox) == 1


def test_a_wrong_captcha_sends_nothing(client, admin, mailoutbox, django_capture_on_commit_callbacks):
    fields = captcha_fields()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(START, {"upn": admin.upn, "captcha_0": fields["captcha_0"], "captcha_1": "wrong"})
    assert response.status_code == 200 and "Invalid CAPTCHA" in response.content.decode()
    assert mailoutbox == [] and not PasswordResetRequest.objects.exists()


def test_the_link_does_not_work_in_another_browser(client, admin, ask_reset, mailoutbox, sms_outbox):
    ask_reset(client, admin.upn)
    link = link_in(mailoutbox[0])
    other = Client()
    ask_reset(other, "nobody@contosoa.tenantadmin.example")  # a browser with a session of its own
    for browser in (other, Client()):
        response = browser.get(link)
        assert response.status_code == 404 and LINK_INVALID in response.content.decode()
        assert f'href="{START}"' in response.content.decode()
    assert sms_outbox == []
    # Refusing the stranger did not use the link up.
    assert client.get(link)["Location"] == CODE


def test_the_link_works_once(client, admin, ask_reset, mailoutbox, sms_outbox):
    ask_reset(client, admin.upn)
    link = link_in(mailoutbox[0])
    assert client.get(link).status_code == 302
    response = client.get(link)
    assert response.status_code == 404 and LINK_INVALID in response.content.decode()
    assert len(sms_outbox) == 1


def test_an_unknown_link_is_a_clear_page(client, db):
    response = client.get(reverse("users:password_forgot_link", args=["made-up-token"]))
    assert response.status_code == 404 and LINK_INVALID in response.content.decode()


@pytest.mark.parametrize("seconds, works", [(599, True), (601, False)])
def test_the_link_expires_ten_minutes_after_the_start(client, admin, clock, ask_reset, mailoutbox, sms_outbox,
                                                      seconds, works):
    ask_reset(client, admin.upn)
    clock(seconds)
    response = client.get(link_in(mailoutbox[0]))
    assert (response.status_code == 302) is works
    assert len(sms_outbox) == (1 if works else 0)


def test_five_wrong_codes_end_the_reset(client, admin, at_code_step):
    wrong = "000000" if at_code_step != "000000" else "111111"
    for left in (4, 3, 2, 1):
        response = client.post(CODE, {"code": wrong})
        assert response.status_code == 200 and f"Attempts left: {left}." in response.content.decode()
    response = client.post(CODE, {"code": wrong})
    assert response.status_code == 403 and "Too many wrong security codes" in response.content.decode()
    response = client.post(CODE, {"code": at_code_step})
    assert response.status_code == 403
    assert client.get(NEW).status_code == 403
    assert PasswordResetRequest.objects.get(user=admin).code_verified_at is None


def test_the_right_code_after_a_wrong_one_works(client, at_code_step):
    wrong = "000000" if at_code_step != "000000" else "111111"
    assert client.post(CODE, {"code": wrong}).status_code == 200
    assert client.post(CODE, {"code": at_code_step})["Location"] == NEW


def test_a_code_that_is_not_six_digits_is_not_an_attempt(client, admin, at_code_step):
    response = client.post(CODE, {"code": "12ab"})
    assert "The security code is six digits." in response.content.decode()
    assert PasswordResetRequest.objects.get(user=admin).code_attempts == 0


def test_the_code_is_refused_ten_minutes_after_the_start(client, admin, clock, at_code_step):
    clock(601)
    response = client.post(CODE, {"code": at_code_step})
    assert response.status_code == 403 and "within 10 minutes" in response.content.decode()
    assert client.get(NEW).status_code == 403


def test_the_code_works_once(client, at_new_step, sms_outbox):
    response = client.post(CODE, {"code": code_in(sms_outbox[0])})
    assert response.status_code == 403 and "already been used" in response.content.decode()


def test_steps_cannot_be_skipped(client, admin, ask_reset, mailoutbox):
    assert client.get(CODE).status_code == 403
    ask_reset(client, admin.upn)
    # The link was not opened: no code step and no password step.
    assert client.get(CODE).status_code == 403
    assert set_password(client).status_code == 403
    client.get(link_in(mailoutbox[0]))
    # The code was not entered: no password step.
    response = set_password(client)
    assert response.status_code == 403 and "Enter the security code" in response.content.decode()
    admin.refresh_from_db()
    assert not admin.check_password(NEW_PASSWORD)


def test_the_password_step_is_refused_ten_minutes_after_the_start(client, admin, clock, at_new_step):
    clock(601)
    assert set_password(client).status_code == 403
    admin.refresh_from_db()
    assert not admin.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("new_password, message", [
    ("Sh#1rt", "Use 8 to 16 characters."),
    ("Much#Too#Long#Password1", "Use 8 to 16 characters."),
    ("lighthouse#42", "Include an upper-case letter."),
    ("LIGHTHOUSE#42", "Include a lower-case letter."),
    ("Lighthouseabc", "Include a digit or a symbol."),
    ("Light house#42", "Do not use spaces, tabs or line breaks."),
    ("Admin#Lighth42", "Do not include your user name."),
])
def test_a_password_breaking_the_policy_is_refused_and_nothing_changes(client, admin, password, at_new_step,
                                                                       new_password, message):
    response = set_password(client, new_password)
    assert response.status_code == 200 and message in response.content.decode()
    admin.refresh_from_db()
    assert admin.check_password(password)
    assert PasswordResetRequest.objects.get(user=admin).completed_at is None
    # The person can go on with a good password.
    assert set_password(client).status_code == 302


def test_mismatched_confirmation_is_refused(client, admin, password, at_new_step):
    response = set_password(client, NEW_PASSWORD, confirm="Lighthouse#43")
    assert response.status_code == 200 and "The passwords do not match." in response.content.decode()
    admin.refresh_from_db()
    assert admin.check_password(password)


def test_a_finished_reset_cannot_be_replayed(client, admin, at_new_step, mailoutbox, sms_outbox):
    assert set_password(client).status_code == 302
    assert set_password(client, "Another#Pass9").status_code == 403
    assert client.post(CODE, {"code": code_in(sms_outbox[0])}).status_code == 403
    assert client.get(link_in(mailoutbox[0])).status_code == 404
    admin.refresh_from_db()
    assert admin.check_password(NEW_PASSWORD)


def test_a_newer_request_invalidates_the_older_link(client, admin, ask_reset, mailoutbox):
    ask_reset(client, admin.upn)
    ask_reset(client, admin.upn)
    older, newer = link_in(mailoutbox[0]), link_in(mailoutbox[1])
    assert older != newer
    assert client.get(older).status_code == 404
    assert client.get(newer)["Location"] == CODE


def test_at_most_three_requests_per_account_an_hour(admin, clock, ask_reset, mailoutbox):
    for _ in range(3):
        ask_reset(Client(), admin.upn)
    response = ask_reset(Client(), admin.upn)
    assert "Too many password reset requests for this account" in response.content.decode()
    assert len(mailoutbox) == 3
    clock(3601)
    assert NEUTRAL in ask_reset(Client(), admin.upn).content.decode()
    assert len(mailoutbox) == 4


def test_at_most_three_requests_per_browser_an_hour(client, org_a, ask_reset, mailoutbox):
    for person in (org_a.global_admin, org_a.user_admin, org_a.password_admin):
        ask_reset(client, with_mobile(person).upn)
    response = ask_reset(client, with_mobile(org_a.billing_admin).upn)
    assert "Too many password reset requests from this browser" in response.content.decode()
    assert len(mailoutbox) == 3


def test_the_reset_clears_a_sign_in_lockout(client, admin, settings, at_new_step):
    stranger = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        stranger.post(reverse("users:signin"), {"username": admin.upn, "password": "Wrong#Password1"})
    assert stranger.post(reverse("users:signin"), {"username": admin.upn, "password": "x"}).status_code == 429
    assert set_password(client).status_code == 302
    response = client.post(reverse("users:signin"), {"username": admin.upn, "password": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("tenantadmin:overview")


def test_a_session_planted_in_the_browser_is_not_the_one_the_reset_is_bound_to(client, admin, ask_reset, mailoutbox,
                                                                                settings):
    planted = client.session
    planted.save()
    planted_key = planted.session_key
    ask_reset(client, admin.upn)
    assert client.session.session_key != planted_key
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted_key
    assert attacker.get(link_in(mailoutbox[0])).status_code == 404
    assert client.get(link_in(mailoutbox[0]))["Location"] == CODE

"""Self-service reset services called directly, with an injected clock: digests, limits, expiry, re-checks."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tenantadmin import sms
from tenantadmin.actors import Actor
from users.models import PasswordResetRequest, RoleAssignment
from users.reset_services import (
    MAX_CODE_ATTEMPTS, CodeDeliveryError, ResetError, StartOutcome, WrongCodeError, reset_check, reset_complete,
    reset_open_link, reset_start, reset_verify_code,
)
from users.services import users_set_sign_in

pytestmark = pytest.mark.django_db

SESSION = "browser-session-key-0001"
NEW_PASSWORD = "Lighthouse#42"


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "tenantadmin.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def t0():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def admin(org_a):
    org_a.global_admin.mobile_phone = "+1 425 555 0100"
    org_a.global_admin.save(update_fields=["mobile_phone"])
    return org_a.global_admin


@pytest.fixture
def start(django_capture_on_commit_callbacks, mailoutbox):
    """start(user, at, session) -> the token of the mailed link."""

    def run(user, at, session=SESSION):
        with django_capture_on_commit_callbacks(execute=True):
            assert reset_start(upn=user.upn, session_key=session, now=at) == StartOutcome.NEUTRAL
        return re.search(r"/password/forgot/link/([^/\s]+)/", mailoutbox[-1].body).group(1)

    return run


def sent_code() -> str:
    return re.search(r"\d{6}", sms.outbox[-1].body).group()


def test_only_digests_are_stored(admin, t0, start):
    token = start(admin, t0)
    reset = PasswordResetRequest.objects.get(user=admin)
    assert reset.tenant == admin.tenant
    assert reset.link_digest == hashlib.sha256(token.encode()).hexdigest()
    assert reset.session_digest == hashlib.sha256(SESSION.encode()).hexdigest()
    assert reset.expires_at == t0 + timedelta(minutes=10)
    reset_open_link(token=token, session_key=SESSION, now=t0)
    reset.refresh_from_db()
    code = sent_code()
    assert len(reset.code_digest) == 64 and code not in reset.code_digest
    # Keyed per request: the digest is not a plain hash of the six digits.
    assert reset.code_digest != hashlib.sha256(code.encode()).hexdigest()
    reset_verify_code(reset_id=reset.pk, session_key=SESSION, code=code, now=t0)
    reset.refresh_from_db()
    assert reset.code_digest == "" and reset.code_verified_at == t0


def test_who_gets_a_link(org_a, admin, t0, django_user_model, mailoutbox):
    assert reset_start(upn=org_a.user.upn, session_key=SESSION, now=t0) == StartOutcome.ASK_ADMIN
    assert reset_start(upn="Nobody@Nowhere.example", session_key=SESSION, now=t0) == StartOutcome.NEUTRAL
    staff = django_user_model.objects.create_superuser("support@operator.example", "Staff#Pass123",
                                                       mobile_phone="+1 555 0100", alternate_email="s@example.net")
    assert reset_start(upn=staff.upn, session_key=SESSION, now=t0) == StartOutcome.NEUTRAL
    assert not PasswordResetRequest.objects.exists()
    # User IDs are case-insensitive.
    assert reset_start(upn=f"  {admin.upn.upper()} ", session_key=SESSION, now=t0) == StartOutcome.NEUTRAL
    assert PasswordResetRequest.objects.filter(user=admin).count() == 1


def test_the_whole_reset_expires_ten_minutes_after_the_start(admin, t0, start):
    token = start(admin, t0)
    reset = reset_open_link(token=token, session_key=SESSION, now=t0 + timedelta(minutes=9, seconds=59))
    with pytest.raises(ResetError):
        reset_check(reset_id=reset.pk, session_key=SESSION, step="code", now=t0 + timedelta(minutes=10))
    with pytest.raises(ResetError):
        reset_verify_code(reset_id=reset.pk, session_key=SESSION, code=sent_code(), now=t0 + timedelta(minutes=10))


def test_every_step_checks_the_session(admin, t0, start):
    token = start(admin, t0)
    with pytest.raises(ResetError):
        reset_open_link(token=token, session_key="another-browser-key", now=t0)
    with pytest.raises(ResetError):
        reset_open_link(token=token, session_key=None, now=t0)
    reset = reset_open_link(token=token, session_key=SESSION, now=t0)
    for session in ("another-browser-key", None):
        with pytest.raises(ResetError):
            reset_verify_code(reset_id=reset.pk, session_key=session, code=sent_code(), now=t0)
    reset_verify_code(reset_id=reset.pk, session_key=SESSION, code=sent_code(), now=t0)
    with pytest.raises(ResetError):
        reset_complete(reset_id=reset.pk, session_key="another-browser-key", new_password=NEW_PASSWORD, now=t0)
    with pytest.raises(ResetError):
        reset_complete(reset_id=None, session_key=SESSION, new_password=NEW_PASSWORD, now=t0)


def test_wrong_codes_count_down_and_then_end_the_reset(admin, t0, start):
    reset = reset_open_link(token=start(admin, t0), session_key=SESSION, now=t0)
    wrong = "000000" if sent_code() != "000000" else "111111"
    for left in range(MAX_CODE_ATTEMPTS - 1, 0, -1):
        with pytest.raises(WrongCodeError, match=f"Attempts left: {left}"):
            reset_verify_code(reset_id=reset.pk, session_key=SESSION, code=wrong, now=t0)
    with pytest.raises(ResetError) as final:
        reset_verify_code(reset_id=reset.pk, session_key=SESSION, code=wrong, now=t0)
    assert not isinstance(final.value, WrongCodeError)
    with pytest.raises(ResetError, match="Too many wrong security codes"):
        reset_verify_code(reset_id=reset.pk, session_key=SESSION, code=sent_code(), now=t0)
    assert PasswordResetRequest.objects.get(pk=reset.pk).code_attempts == MAX_CODE_ATTEMPTS


def test_a_failed_sms_leaves_the_link_usable(admin, t0, start, settings):
    token = start(admin, t0)
    # The real HTTP backend without a gateway address refuses to send.
    settings.SMS_BACKEND = "tenantadmin.sms.HttpBackend"
    settings.SMS_HTTP_URL = None
    with pytest.raises(CodeDeliveryError):
        reset_open_link(token=token, session_key=SESSION, now=t0)
    assert PasswordResetRequest.objects.get(user=admin).link_opened_at is None
    settings.SMS_BACKEND = "tenantadmin.sms.LocmemBackend"
    reset_open_link(token=token, session_key=SESSION, now=t0)
    assert len(sms.outbox) == 1


def test_a_new_request_closes_the_open_ones_only(admin, t0, start):
    first = start(admin, t0)
    second = start(admin, t0 + timedelta(minutes=1))
    with pytest.raises(ResetError):
        reset_open_link(token=first, session_key=SESSION, now=t0 + timedelta(minutes=2))
    reset = reset_open_link(token=second, session_key=SESSION, now=t0 + timedelta(minutes=2))
    reset_verify_code(reset_id=reset.pk, session_key=SESSION, code=sent_code(), now=t0 + timedelta(minutes=2))
    reset_complete(reset_id=reset.pk, session_key=SESSION, new_password=NEW_PASSWORD, now=t0 + timedelta(minutes=3))
    start(admin, t0 + timedelta(minutes=4))
    reset.refresh_from_db()
    # The finished request keeps its own record.
    assert reset.completed_at == t0 + timedelta(minutes=3)
    assert reset.expires_at == t0 + timedelta(minutes=11)


def test_the_per_browser_limit_follows_a_renewed_session_key(org_a, t0, start):
    people = [org_a.global_admin, org_a.user_admin, org_a.password_admin, org_a.billing_admin]
    for person in people:
        person.mobile_phone = "+1 425 555 0100"
        person.save(update_fields=["mobile_phone"])
    keys = ["browser-key-1", "browser-key-2", "browser-key-3", "browser-key-4"]
    for number, person in enumerate(people[:3]):
        previous = keys[number - 1] if number else None
        reset_start(upn=person.upn, session_key=keys[number], previous_session_key=previous, now=t0)
    with pytest.raises(ResetError, match="from this browser"):
        reset_start(upn=people[3].upn, session_key=keys[3], previous_session_key=keys[2], now=t0)
    # The refusal did not lose the count for the next try.
    with pytest.raises(ResetError, match="from this browser"):
        reset_start(upn=people[3].upn, session_key="browser-key-5", previous_session_key=keys[3], now=t0)
    assert reset_start(upn=people[3].upn, session_key="browser-key-6", previous_session_key="browser-key-5",
                       now=t0 + timedelta(hours=1)) == StartOutcome.NEUTRAL


@pytest.mark.parametrize("change", ["demoted", "blocked"])
def test_an_admin_demoted_or_blocked_during_the_reset_cannot_finish(admin, password, t0, start, change):
    reset = reset_open_link(token=start(admin, t0), session_key=SESSION, now=t0)
    reset_verify_code(reset_id=reset.pk, session_key=SESSION, code=sent_code(), now=t0)
    if change == "demoted":
        RoleAssignment.objects.filter(user=admin).delete()
    else:
        users_set_sign_in(user_ids=[admin.pk], allowed=False, actor=Actor.system("tests"))
    with pytest.raises(ResetError, match="can no longer use self-service"):
        reset_complete(reset_id=reset.pk, session_key=SESSION, new_password=NEW_PASSWORD, now=t0)
    admin.refresh_from_db()
    assert admin.check_password(password)


def test_policy_errors_come_one_per_rule(admin, t0, start):
    reset = reset_open_link(token=start(admin, t0), session_key=SESSION, now=t0)
    reset_verify_code(reset_id=reset.pk, session_key=SESSION, code=sent_code(), now=t0)
    with pytest.raises(ValidationError) as error:
        reset_complete(reset_id=reset.pk, session_key=SESSION, new_password="admin x", now=t0)
    assert len(error.value.messages) == 5  # length, upper case, digit/symbol, whitespace, user name
    assert PasswordResetRequest.objects.get(pk=reset.pk).completed_at is None

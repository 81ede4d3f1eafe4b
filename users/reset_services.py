"""Administrator self-service password reset (SPEC users/ "Passwords").

User ID + human check → a single-use link mailed to the alternate address → a security code sent by
SMS to the mobile phone → a new password. The whole flow must finish within RESET_LIFETIME of the
start and in the browser session that started it. Only digests of the session key, the link token
and the code are stored, so a copy of the database cannot be used to finish somebody's reset.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta
from enum import Enum

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenantadmin.actors import Actor
from tenantadmin.mail import mail_after_commit
from tenantadmin.services.audit import audit_record
from tenantadmin.sms import SmsError, send_sms
from users.models import PasswordResetRequest, User

RESET_LIFETIME = timedelta(minutes=10)
MAX_CODE_ATTEMPTS = 5
# Each request mails the alternate address; the limit keeps the form from being used to flood it.
MAX_REQUESTS_PER_HOUR = 3


class ResetError(Exception):
    """A reset step cannot go on; the message is for the person in front of the browser."""

    @property
    def message(self) -> str:
        return self.args[0]


class WrongCodeError(ResetError):
    """The security code did not match and attempts are left: the person may try again."""


class CodeDeliveryError(ResetError):
    """The SMS gateway refused the code; the link stays unused so it can be opened again."""


class StartOutcome(str, Enum):
    # Unknown accounts, administrators who cannot use self-service reset and administrators who can
    # all get the same answer, so the form cannot be used to find out which administrators exist.
    NEUTRAL = "neutral"
    # SPEC: non-administrators are told to ask an administrator.
    ASK_ADMIN = "ask_admin"


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _code_digest(reset: PasswordResetRequest, code: str) -> str:
    # Keyed and tied to the request: a million possible codes would be trivial to reverse from a
    # plain hash.
    return salted_hmac("users.reset.code", f"{reset.pk}:{code}", algorithm="sha256").hexdigest()


def _language(user: User) -> str:
    return user.language or user.tenant.preferred_language or "en"


def reset_start(*, upn: str, session_key: str, previous_session_key: str | None = None, now=None) -> StartOutcome:
    """Mail a reset link if `upn` is an administrator who can use self-service reset."""
    now = now or timezone.now()
    session_digest = _sha256(session_key)
    if previous_session_key:
        # The view gives the browser a fresh session key at each start (a session planted by
        # somebody else must not be the one the reset is bound to); earlier requests follow it so
        # the per-session limit still counts them. Outside the transaction below: a refused
        # request must not roll the move back. A session is not tenant data: no tenant filter.
        PasswordResetRequest.objects.filter(session_digest=_sha256(previous_session_key)).update(
            session_digest=session_digest)
    with transaction.atomic():
        return _start(upn=upn, session_digest=session_digest, now=now)


def _start(*, upn: str, session_digest: str, now) -> StartOutcome:
    hour_ago = now - timedelta(hours=1)
    from_this_browser = PasswordResetRequest.objects.filter(session_digest=session_digest, created_at__gt=hour_ago)
    if from_this_browser.count() >= MAX_REQUESTS_PER_HOUR:
        raise ResetError(_("Too many password reset requests from this browser. Wait an hour and try again."))
    # Locked so two simultaneous requests cannot both pass the per-user limit.
    user = (User.objects.select_for_update(of=("self",)).select_related("tenant")
            .filter(upn__iexact=upn.strip(), deleted_at__isnull=True, tenant__isnull=False).first())
    if user is None:
        return StartOutcome.NEUTRAL
    if not user.is_admin:
        return StartOutcome.ASK_ADMIN
    if not (user.is_active and user.alternate_email and user.mobile_phone):
        return StartOutcome.NEUTRAL
    earlier = PasswordResetRequest.objects.filter(tenant=user.tenant, user=user)
    # This refusal does tell that the account can use self-service reset, but only after three
    # real mails reached its owner's alternate address, each behind a human check.
    if earlier.filter(created_at__gt=hour_ago).count() >= MAX_REQUESTS_PER_HOUR:
        raise ResetError(_("Too many password reset requests for this account. Wait an hour and try again."))
    # Only the newest link works.
    earlier.filter(completed_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    PasswordResetRequest.objects.create(
        tenant=user.tenant, user=user, session_digest=session_digest, link_digest=_sha256(token),
        created_at=now, expires_at=now + RESET_LIFETIME,
    )
    mail_after_commit(
        to=[user.alternate_email], subject=gettext_lazy("Reset your password"), template="users/mail/reset_link",
        language=_language(user), tenant=user.tenant, category="account",
        context={"user": user, "minutes": int(RESET_LIFETIME.total_seconds() // 60),
                 "link": settings.PUBLIC_URL + reverse("users:password_forgot_link", args=[token])},
    )
    return StartOutcome.NEUTRAL


def _is_open(reset: PasswordResetRequest, now) -> bool:
    return reset.completed_at is None and now < reset.expires_at


@transaction.atomic
def reset_open_link(*, token: str, session_key: str | None, now=None) -> PasswordResetRequest:
    """Use the mailed link once, in the session that started the reset: send the security code by SMS."""
    now = now or timezone.now()
    # The token is the only handle a link carries; it is 256 random bits, looked up by digest.
    reset = (PasswordResetRequest.objects.select_for_update(of=("self",)).select_related("user__tenant")
             .filter(link_digest=_sha256(token)).first())
    # One message whatever the reason: the link tells nothing about the account or the request.
    invalid = ResetError(_("This link is no longer valid. Links work once, for 10 minutes, and only in the "
                           "browser where you asked for them. Start again."))
    if (reset is None or not session_key or not hmac.compare_digest(reset.session_digest, _sha256(session_key))
            or reset.link_opened_at is not None or not _is_open(reset, now)):
        raise invalid
    code = f"{secrets.randbelow(10 ** 6):06d}"
    reset.link_opened_at = now
    reset.code_digest = _code_digest(reset, code)
    reset.save(update_fields=["link_opened_at", "code_digest"])
    user = reset.user
    with translation.override(_language(user)):
        body = _("Your security code is %(code)s") % {"code": code}
    try:
        # Sent inside the transaction on purpose: if the gateway fails, the link is not used up.
        send_sms(user.mobile_phone, body)
    except SmsError as error:
        raise CodeDeliveryError(_("We could not send the security code to your mobile phone. "
                                  "Open the link again in a minute.")) from error
    return reset


def _reset_in_session(reset_id, session_key: str | None, *, lock: bool) -> PasswordResetRequest:
    # Nobody is signed in, so no tenant is known: the id comes from this browser's session and the
    # session digest must match, which binds the lookup as tightly as a tenant filter would.
    queryset = PasswordResetRequest.objects.select_related("user__tenant")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    reset = queryset.filter(pk=reset_id).first() if reset_id else None
    if reset is None or not session_key or not hmac.compare_digest(reset.session_digest, _sha256(session_key)):
        raise ResetError(_("No password reset is in progress in this browser. Start again."))
    return reset


def _require_step(reset: PasswordResetRequest, step: str, now) -> None:
    """Every step checks the whole chain: not finished, not expired, previous step done."""
    if reset.completed_at is not None:
        raise ResetError(_("This password reset is finished. Start again if you need another one."))
    if now >= reset.expires_at:
        raise ResetError(_("This password reset has expired or was replaced by a newer one: the whole reset "
                           "must be finished within 10 minutes. Start again."))
    if reset.link_opened_at is None:
        raise ResetError(_("Open the link we sent to your alternate e-mail address first."))
    if step == "code":
        if reset.code_verified_at is not None:
            raise ResetError(_("This security code has already been used."))
        if reset.code_attempts >= MAX_CODE_ATTEMPTS:
            raise ResetError(_("Too many wrong security codes. Start again."))
    elif reset.code_verified_at is None:
        raise ResetError(_("Enter the security code we sent to your mobile phone first."))


def reset_check(*, reset_id, session_key: str | None, step: str, now=None) -> PasswordResetRequest:
    """The reset of this browser if it is waiting for `step` ("code" or "new"); ResetError otherwise."""
    reset = _reset_in_session(reset_id, session_key, lock=False)
    _require_step(reset, step, now or timezone.now())
    return reset


def reset_verify_code(*, reset_id, session_key: str | None, code: str, now=None) -> PasswordResetRequest:
    """Check the SMS code (single use, constant-time comparison, MAX_CODE_ATTEMPTS tries)."""
    now = now or timezone.now()
    # The wrong attempt must be saved, so the error is raised after the transaction commits.
    with transaction.atomic():
        reset = _reset_in_session(reset_id, session_key, lock=True)
        _require_step(reset, "code", now)
        if hmac.compare_digest(reset.code_digest, _code_digest(reset, code.strip())):
            reset.code_verified_at = now
            reset.code_digest = ""
            reset.save(update_fields=["code_verified_at", "code_digest"])
            return reset
        reset.code_attempts += 1
        reset.save(update_fields=["code_attempts"])
    attempts_left = MAX_CODE_ATTEMPTS - reset.code_attempts
    if attempts_left <= 0:
        raise ResetError(_("Too many wrong security codes. Start again."))
    raise WrongCodeError(_("The security code is not correct. Attempts left: %(n)d.") % {"n": attempts_left})


@transaction.atomic
def reset_complete(*, reset_id, session_key: str | None, new_password: str, ip: str | None = None,
                   now=None) -> User:
    """Set the new password, end the reset, clear a sign-in lockout, audit and confirm by mail."""
    now = now or timezone.now()
    reset = _reset_in_session(reset_id, session_key, lock=True)
    _require_step(reset, "new", now)
    user = (User.objects.select_for_update(of=("self",)).select_related("tenant")
            .get(pk=reset.user_id, tenant=reset.tenant))
    # Blocked, deleted or demoted while the reset ran: the right to self-service reset is gone.
    if user.deleted_at is not None or not user.is_active or not user.is_admin:
        raise ResetError(_("This account can no longer use self-service password reset. Ask your administrator."))
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = now
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    reset.completed_at = now
    reset.save(update_fields=["completed_at"])
    # Whoever proved control of the mailbox and the phone may sign in again at once.
    axes_reset(username=user.upn)
    audit_record(tenant=user.tenant, actor=Actor.for_user(user, ip), action="user.password_self_reset", target=user)
    mail_after_commit(
        to=[user.alternate_email], subject=gettext_lazy("Your password was changed"),
        template="users/reset/mail_done", language=_language(user), tenant=user.tenant, category="account",
        context={"user": user, "signin_link": settings.PUBLIC_URL + reverse("users:signin")},
    )
    return user

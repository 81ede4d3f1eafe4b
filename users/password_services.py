"""Passwords (SPEC users/ "Passwords"): change, administrator reset, expiry policy, sign-in locks.

Writes are atomic and audited; no password, temporary or not, is ever written to the audit log.
"""

import dataclasses
import math
from datetime import datetime, timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tenantadmin.actors import Actor
from tenantadmin.mail import mail_after_commit
from tenantadmin.models import Tenant
from tenantadmin.roles import Perm
from tenantadmin.services.audit import audit_record, diff_fields
from users.lockout import LONGEST_WAIT, current_wait, lockout_count_filter, wait_after
from users.models import User
from users.passwords import generate_temporary_password

MIN_EXPIRY_DAYS = 14
MAX_EXPIRY_DAYS = 730
# SPEC: "From 14 days before expiry, every sign-in shows the days left".
EXPIRY_WARNING_DAYS = 14
MAX_NOTIFY_ADDRESSES = 5


@transaction.atomic
def password_change(*, user: User, actor: Actor, current_password: str, new_password: str) -> None:
    """The person's own change: checks the current password and the policy; ends a forced change."""
    if not user.check_password(current_password):
        raise ValidationError({"current_password": [_("Your current password is not correct.")]})
    if new_password == current_password:
        raise ValidationError({"new_password": [_("Choose a new password that differs from your current one.")]})
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ValidationError({"new_password": error.messages})
    was_forced = user.must_change_password
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit_record(tenant=user.tenant, actor=actor, action="user.password_change", target=user,
                 changes={"must_change_password": [was_forced, False]})


def password_reset_allowed(actor: Actor, user: User) -> bool:
    """SPEC role table: global admins reset anyone; password and user management admins only people
    without an administrator role; nobody resets their own password here (they use Change password)."""
    if actor.user is not None:
        admin = actor.user
        if admin.pk == user.pk or actor.tenant_id != user.tenant_id:  # a partner's person: the customer
            return False
        if admin.is_global_admin:
            return True
        return Perm.PASSWORDS_RESET in admin.admin_perms and not user.is_admin
    if actor.app is not None:
        # Like Graph: an application's user permissions do not reach administrators' passwords.
        return actor.app.tenant_id == user.tenant_id and not user.is_admin
    return True  # the operator's own tooling


def notify_addresses(addresses) -> list[str]:
    """The addresses a temporary password may be mailed to: at most five valid ones, duplicates dropped."""
    unique = list(dict.fromkeys(a.strip() for a in addresses if a and a.strip()))
    if len(unique) > MAX_NOTIFY_ADDRESSES:
        raise ValidationError({"notify": [_("Enter at most %(max)d addresses.") % {"max": MAX_NOTIFY_ADDRESSES}]})
    for address in unique:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError({"notify": [_("%(address)s is not a valid e-mail address.") % {"address": address}]})
    return unique


@transaction.atomic
def password_reset_by_admin(*, user: User, actor: Actor, notify=(), password: str | None = None,
                            force_change: bool = True) -> str:
    """Reset another person's password; returns it to show once. Without `password` a temporary one is
    generated (the portal); with one (Graph's passwordProfile) it must meet the policy. With
    `force_change` it must be changed at the next sign-in. Optionally mailed to at most five addresses."""
    if not password_reset_allowed(actor, user):
        raise PermissionDenied(_("Your role does not allow resetting this person's password."))
    recipients = notify_addresses(notify)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages})
    was_forced = user.must_change_password
    temporary = password if password is not None else generate_temporary_password()
    user.set_password(temporary)
    user.must_change_password = force_change
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    changes = {"must_change_password": [was_forced, force_change]}
    if recipients:
        changes["notified"] = [None, recipients]
    audit_record(tenant=user.tenant, actor=actor, action="user.password_reset", target=user, changes=changes)
    language = user.tenant.preferred_language
    with translation.override(language):
        subject = _("Temporary password for %(upn)s") % {"upn": user.upn}
    # mail_after_commit sends one message per address, so recipients do not see each other.
    mail_after_commit(
        to=recipients, subject=subject, template="users/mail/temporary_password", tenant=user.tenant,
        category="account", language=language,
        context={"user": user, "temporary_password": temporary, "signin_path": reverse("users:signin")},
    )
    return temporary


@transaction.atomic
def password_policy_update(*, tenant: Tenant, actor: Actor, passwords_expire: bool,
                           password_expiry_days: int) -> Tenant:
    """The organization's password expiration policy: never, or after 14–730 days."""
    if not isinstance(password_expiry_days, int) or not MIN_EXPIRY_DAYS <= password_expiry_days <= MAX_EXPIRY_DAYS:
        raise ValidationError({"password_expiry_days": [
            _("Enter a number of days from %(min)d to %(max)d.") % {"min": MIN_EXPIRY_DAYS, "max": MAX_EXPIRY_DAYS}]})
    locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
    values = {"passwords_expire": bool(passwords_expire), "password_expiry_days": password_expiry_days}
    changes = diff_fields(locked, values)
    if changes:
        for field, value in values.items():
            setattr(locked, field, value)
            setattr(tenant, field, value)
        locked.save(update_fields=list(values))
        audit_record(tenant=tenant, actor=actor, action="organization.password_policy", target=tenant, changes=changes)
    return tenant


def password_days_left(user: User, now=None) -> int | None:
    """Whole days (rounded up) until the password expires, when that is within the warning window."""
    expires_at = user.password_expires_at()
    if expires_at is None:
        return None
    remaining = expires_at - (now or timezone.now())
    if remaining <= timedelta(0) or remaining > timedelta(days=EXPIRY_WARNING_DAYS):
        return None
    return math.ceil(remaining / timedelta(days=1))


# --- Sign-in locks (django-axes, waits in users/lockout.py) ---------------------------------

@transaction.atomic
def signin_lock_record(*, username: str, ip_address: str | None) -> None:
    """Audit that repeated failures locked `username`, in its organization when the account exists."""
    user = (User.objects.select_related("tenant")
            .filter(upn__iexact=username.strip(), deleted_at__isnull=True, tenant__isnull=False).first())
    if user is None:
        return
    actor = dataclasses.replace(Actor.system("sign-in protection"), ip_address=ip_address)
    wait = current_wait(user.upn)
    audit_record(tenant=user.tenant, actor=actor, action="user.signin_locked", target=user,
                 changes={"wait_minutes": [None, int(wait.total_seconds() // 60)]})


@transaction.atomic
def signin_unlock(*, user: User, actor: Actor) -> None:
    """Lift a sign-in lock now; the escalating wait starts again from the first step."""
    AxesProxyHandler.reset_attempts(username=user.upn)
    AccessFailureLog.objects.filter(username=user.upn).delete()
    audit_record(tenant=user.tenant, actor=actor, action="user.signin_unlock", target=user)


def _locked_until(usernames, now) -> dict[str, datetime]:
    """{user name: locked until} for the locked names among `usernames` (a list or a values() queryset), one query."""
    lockouts = (AccessFailureLog.objects.filter(lockout_count_filter(now), username=OuterRef("username"))
                .order_by().values("username").annotate(n=Count("pk")).values("n"))
    rows = (AccessAttempt.objects.filter(username__in=usernames, attempt_time__gt=now - LONGEST_WAIT)
            .annotate(lockouts=Coalesce(Subquery(lockouts), 0))
            .order_by("username", "-attempt_time")
            .values_list("username", "attempt_time", "failures_since_start", "lockouts"))
    by_name: dict[str, list] = {}
    for username, attempt_time, failures, lockouts_count in rows:
        by_name.setdefault(username, []).append((attempt_time, failures, lockouts_count))
    locked = {}
    for username, attempts in by_name.items():
        wait = wait_after(attempts[0][2])
        # As axes counts: the failures still inside the wait; the lock ends when the try that
        # reached the limit (counting from the newest) leaves the window.
        total = 0
        for attempt_time, failures, _count in attempts:
            if attempt_time < now - wait:
                break
            total += failures
            if total >= settings.AXES_FAILURE_LIMIT:
                locked[username] = attempt_time + wait
                break
    return locked


def signin_locks(*, tenant: Tenant, now=None) -> dict[str, datetime]:
    """{user name: locked until} for the organization's accounts that sign-in protection has locked."""
    names = User.objects.filter(tenant=tenant, deleted_at__isnull=True).values("upn")
    return _locked_until(names, now or timezone.now())


def signin_locked(user: User, now=None) -> bool:
    """Is this account locked by sign-in protection right now?"""
    return user.upn in _locked_until([user.upn], now or timezone.now())

"""Sign-in lockout (DESIGN "Passwords hashed with Argon2; sign-in lockout (django-axes)").

django-axes counts failed sign-ins; this module decides how long a locked account waits and keeps
axes' bookkeeping consistent with that wait:

- `cooloff` (AXES_COOLOFF_TIME): **5 minutes** for the first lockout of an account, **doubling**
  for each further lockout of the same user name within **24 hours** (5, 10, 20, 40, 80 minutes),
  never more than **2 hours**. Lockouts are counted from axes' failure log (AccessFailureLog rows
  with `locked_out`), which needs AXES_ENABLE_ACCESS_FAILURE_LOG and, so that one lockout is one
  row, AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False (tries during a lock are refused
  without being recorded; the growing wait is what slows a persistent attacker).
- `lockout_username` (AXES_USERNAME_CALLABLE): user names are case-insensitive at sign-in, so
  axes must count `Alice@…` and `alice@…` as one account.
- `LockoutHandler` (AXES_HANDLER): axes deletes expired attempts of *every* account using the wait
  of the account signing in right now, which would end a longer, escalated lock early. This
  handler expires an account's own attempts with its own wait and the rest only after the longest
  wait.
"""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

FIRST_WAIT = timedelta(minutes=5)
LONGEST_WAIT = timedelta(hours=2)
ESCALATION_WINDOW = timedelta(hours=24)
# 5 min * 2**5 is already past the cap; a bound keeps timedelta from overflowing on huge counts.
_MAX_DOUBLINGS = 5


def lockout_username(request, credentials=None) -> str | None:
    """The user name axes counts failures for: trimmed and lower-cased like the sign-in backend does."""
    if credentials:
        raw = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        raw = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    if not isinstance(raw, str):
        return None
    return raw.strip().lower() or None


def wait_after(lockouts: int) -> timedelta:
    """The wait of an account that has been locked `lockouts` times within 24 hours (0 before the first)."""
    doublings = min(max(lockouts - 1, 0), _MAX_DOUBLINGS)
    return min(FIRST_WAIT * 2**doublings, LONGEST_WAIT)


def lockout_count_filter(now) -> Q:
    """AccessFailureLog rows that are lockouts counting towards the escalation at `now`."""
    return Q(locked_out=True, attempt_time__gt=now - ESCALATION_WINDOW)


def current_wait(username: str | None, now=None) -> timedelta:
    """How long `username` waits once locked, given its lockouts in the last 24 hours."""
    if not username:
        return FIRST_WAIT
    now = now or timezone.now()
    lockouts = AccessFailureLog.objects.filter(lockout_count_filter(now), username=username).count()
    return wait_after(lockouts)


def _request_time(request):
    return getattr(request, "axes_attempt_time", None) or timezone.now()


def cooloff(request) -> timedelta:
    """AXES_COOLOFF_TIME: the wait of the account named in the request (see the module docstring)."""
    if request is None:
        return FIRST_WAIT
    username = get_client_username(request)
    return current_wait(username, _request_time(request))


def failures_within_wait(username: str, now=None) -> int:
    """Failed sign-ins of `username` that still count towards a lock (axes' own per-name count)."""
    now = now or timezone.now()
    since = now - current_wait(username, now)
    attempts = AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def lock_started(request) -> bool:
    """Did this failed sign-in lock its account (rather than arrive while it, or the address, was locked)?"""
    username = get_client_username(request)
    # axes records the failure count only for a try it counted; tries refused during a lock are not.
    if not username or getattr(request, "axes_failures_since_start", None) is None:
        return False
    # Exactly at the limit: the try that locked it. Above (when tries during a lock are counted) it was locked already.
    return failures_within_wait(username, _request_time(request)) == settings.AXES_FAILURE_LIMIT


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with per-account expiry of attempts (see the module docstring)."""

    def clean_expired_user_attempts(self, request=None, credentials=None) -> int:
        now = _request_time(request)
        stale = Q(attempt_time__lte=now - LONGEST_WAIT)
        username = get_client_username(request, credentials) if request is not None else None
        if username:
            stale |= Q(username=username, attempt_time__lte=now - current_wait(username, now))
        count, _ = AccessAttempt.objects.filter(stale).delete()
        return count

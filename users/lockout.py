"""Sign-in lockout: how long an account stays locked (django-axes AXES_COOLOFF_TIME callable)."""

from datetime import timedelta


def cooloff(request) -> timedelta:
    return timedelta(minutes=15)

"""Who performs a change: a person in the browser, a program with an API token, or the system.

Services take an `Actor` so the audit log can say who acted however the change arrived.
"""

from dataclasses import dataclass
from typing import Any

from tenantadmin.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    kind: str  # one of AuditEvent.ActorType
    label: str
    user: Any = None  # users.User when a person acts
    app: Any = None  # AppRegistration when a program acts
    ip_address: str | None = None

    @classmethod
    def for_user(cls, user, ip_address: str | None = None) -> "Actor":
        kind = AuditEvent.ActorType.STAFF if user.tenant_id is None else AuditEvent.ActorType.USER
        return cls(kind=kind, label=user.upn, user=user, ip_address=ip_address)

    @classmethod
    def from_request(cls, request) -> "Actor":
        return cls.for_user(request.user, client_ip(request))

    @classmethod
    def for_app(cls, app, ip_address: str | None = None) -> "Actor":
        return cls(kind=AuditEvent.ActorType.APP, label=f"{app.display_name} (app {app.client_id})", app=app,
                   ip_address=ip_address)

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(kind=AuditEvent.ActorType.SYSTEM, label=label)


def client_ip(request) -> str | None:
    """The client's address as the web server saw it (a proxy must set REMOTE_ADDR correctly)."""
    return request.META.get("REMOTE_ADDR") or None

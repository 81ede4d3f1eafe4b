"""App registrations and their client secrets. A secret is returned once and stored as a digest."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenantadmin.actors import Actor
from tenantadmin.api.permissions import unknown_permissions
from tenantadmin.models import AppRegistration, AppSecret
from tenantadmin.services.audit import audit_record

SECRET_BYTES = 30  # 40 URL-safe characters


def secret_digest(secret: str) -> str:
    # Secrets carry 240 random bits, so a fast hash is enough; a slow KDF would only slow sign-in.
    return hashlib.sha256(secret.encode()).hexdigest()


def _clean_permissions(permissions) -> list[str]:
    unknown = unknown_permissions(permissions)
    if unknown:
        raise ValidationError({"permissions": [_("Unknown permission: %(names)s") % {"names": ", ".join(unknown)}]})
    return sorted(set(permissions))


def _clean_name(display_name: str) -> str:
    name = (display_name or "").strip()
    if not name:
        raise ValidationError({"display_name": [_("Enter a name.")]})
    if len(name) > 120:
        raise ValidationError({"display_name": [_("Use at most 120 characters.")]})
    return name


@transaction.atomic
def app_registration_create(*, tenant, actor: Actor, display_name: str, permissions,
                            public_client_enabled: bool = False) -> AppRegistration:
    """Register a program that may call the API (and, as a public client, through which people may sign in)."""
    app = AppRegistration.objects.create(
        tenant=tenant, display_name=_clean_name(display_name), permissions=_clean_permissions(permissions),
        public_client_enabled=bool(public_client_enabled), created_by=actor.user,
    )
    audit_record(tenant=tenant, actor=actor, action="app_registration.create", target=app,
                 changes={"display_name": [None, app.display_name], "permissions": [None, app.permissions],
                          "public_client_enabled": [None, app.public_client_enabled]})
    return app


@transaction.atomic
def app_registration_update(*, app: AppRegistration, actor: Actor, display_name: str | None = None,
                            permissions=None, public_client_enabled: bool | None = None) -> AppRegistration:
    """Rename an app, change its permissions (tokens issued later carry the new ones) or whether people may
    sign in through it (turning that off ends their tokens at once)."""
    app = AppRegistration.objects.select_for_update().get(pk=app.pk, tenant=app.tenant_id)
    changes = {}
    if display_name is not None and _clean_name(display_name) != app.display_name:
        changes["display_name"] = [app.display_name, _clean_name(display_name)]
        app.display_name = _clean_name(display_name)
    if permissions is not None and _clean_permissions(permissions) != app.permissions:
        changes["permissions"] = [app.permissions, _clean_permissions(permissions)]
        app.permissions = _clean_permissions(permissions)
    if public_client_enabled is not None and bool(public_client_enabled) != app.public_client_enabled:
        changes["public_client_enabled"] = [app.public_client_enabled, bool(public_client_enabled)]
        app.public_client_enabled = bool(public_client_enabled)
    if changes:
        app.save(update_fields=list(changes))
        audit_record(tenant=app.tenant, actor=actor, action="app_registration.update", target=app, changes=changes)
    return app


@transaction.atomic
def app_registration_delete(*, app: AppRegistration, actor: Actor) -> None:
    """Remove an app; its secrets go with it, so its tokens stop working at once."""
    audit_record(tenant=app.tenant, actor=actor, action="app_registration.delete", target=app,
                 changes={"display_name": [app.display_name, None]})
    app.delete()


@transaction.atomic
def app_secret_create(*, app: AppRegistration, actor: Actor, display_name: str = "",
                      months: int = 6, now=None) -> tuple[AppSecret, str]:
    """A new client secret; the plain text is returned here and never again."""
    if not 1 <= months <= settings.APP_SECRET_MAX_MONTHS:
        raise ValidationError({"months": [_("Choose between 1 and %(max)d months.") % {"max": settings.APP_SECRET_MAX_MONTHS}]})
    if len(display_name) > 120:
        raise ValidationError({"display_name": [_("Use at most 120 characters.")]})
    now = now or timezone.now()
    plain = secrets.token_urlsafe(SECRET_BYTES)
    secret = AppSecret.objects.create(
        tenant_id=app.tenant_id, app=app, display_name=display_name.strip(), hint=plain[:3],
        digest=secret_digest(plain), expires_at=now + timedelta(days=30 * months),
    )
    audit_record(tenant=app.tenant, actor=actor, action="app_secret.create", target=app,
                 changes={"key": [None, f"{secret.hint}… ({secret.pk})"], "expires_at": [None, secret.expires_at.isoformat()]})
    return secret, plain


@transaction.atomic
def app_secret_revoke(*, secret: AppSecret, actor: Actor) -> AppSecret:
    """Revoke a secret: new tokens are refused and tokens already issued with it stop working."""
    if secret.revoked_at is None:
        secret.revoked_at = timezone.now()
        secret.save(update_fields=["revoked_at"])
        audit_record(tenant=secret.app.tenant, actor=actor, action="app_secret.revoke", target=secret.app,
                     changes={"key": [f"{secret.hint}… ({secret.pk})", None]})
    return secret

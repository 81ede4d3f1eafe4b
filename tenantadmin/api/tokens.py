"""Access tokens for the API: short-lived JWTs (HS256) issued by the token endpoint to app registrations.

The signing key is derived from SECRET_KEY with a purpose-specific salt (salted_hmac) rather than
being SECRET_KEY itself: a value signed for another purpose (sessions, signed cookies, paging
cursors) can then never pass as a token, operators have one secret to keep and rotate, and rotating
SECRET_KEY voids every token at once (they live an hour, clients simply fetch a new one).

A token is checked against the database on every request, so revoking its secret, deleting its
app or removing a permission from the app takes effect immediately, not when the token expires.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt
from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from tenantadmin.api.permissions import effective_permissions
from tenantadmin.models import AppSecret, Tenant

AUDIENCE = "tenantadmin-api"
ALGORITHM = "HS256"
# Tolerated clock difference between the issuer and a verifier on another host.
LEEWAY_SECONDS = 30
_REQUIRED_CLAIMS = ["aud", "iss", "tid", "appid", "oid", "sid", "roles", "iat", "nbf", "exp", "jti"]


class TokenError(Exception):
    """The token is not acceptable; the message is safe to show the client."""


@dataclass(frozen=True)
class TokenGrant:
    """What a valid token lets its bearer do."""

    tenant: Tenant
    secret: AppSecret
    permissions: frozenset[str]

    @property
    def app(self):
        return self.secret.app


def _signing_key() -> bytes:
    return salted_hmac("tenantadmin.api.token", "signing", algorithm="sha256").digest()


def issuer(tenant_id) -> str:
    return f"{settings.PUBLIC_URL}/{tenant_id}/v2.0"


def token_issue(*, secret: AppSecret, now=None) -> str:
    """A signed access token for the app of `secret`, carrying the app's current permissions."""
    now = now or timezone.now()
    app = secret.app
    claims = {
        "aud": AUDIENCE,
        "iss": issuer(app.tenant_id),
        "tid": str(app.tenant_id),
        "appid": str(app.client_id),
        "oid": str(app.pk),
        "sid": str(secret.pk),
        "roles": list(app.permissions),
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(seconds=settings.API_TOKEN_LIFETIME_SECONDS),
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, _signing_key(), algorithm=ALGORITHM)


def _claims(token: str) -> dict:
    try:
        claims = jwt.decode(
            token, _signing_key(), algorithms=[ALGORITHM], audience=AUDIENCE, leeway=LEEWAY_SECONDS,
            options={"require": _REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("Lifetime validation failed, the token is expired.") from None
    except jwt.ImmatureSignatureError:
        raise TokenError("The token is not yet valid.") from None
    except jwt.InvalidSignatureError:
        raise TokenError("Access token validation failure. Invalid signature.") from None
    except jwt.InvalidAudienceError:
        raise TokenError("Access token validation failure. Invalid audience.") from None
    except jwt.DecodeError:
        raise TokenError("Access token is malformed.") from None
    except jwt.PyJWTError:
        raise TokenError("Access token validation failure.") from None
    if claims["iss"] != issuer(claims["tid"]) or not isinstance(claims["roles"], list):
        raise TokenError("Access token validation failure. Invalid issuer.")
    return claims


def token_verify(token: str, now=None) -> TokenGrant:
    """Check signature, lifetime, audience and issuer, then that the secret is still live (one query)."""
    claims = _claims(token)
    try:
        secret_id, app_id, tenant_id = uuid.UUID(claims["sid"]), uuid.UUID(claims["oid"]), uuid.UUID(claims["tid"])
    except (TypeError, ValueError, AttributeError):
        raise TokenError("Access token is malformed.") from None
    secret = (
        AppSecret.objects.select_related("app__tenant")
        .filter(pk=secret_id, app_id=app_id, tenant_id=tenant_id, app__tenant_id=tenant_id)
        .first()
    )
    now = now or timezone.now()
    if secret is None or secret.revoked_at is not None or str(secret.app.client_id) != claims["appid"]:
        raise TokenError("The client secret of this token was revoked or its application was removed.")
    if secret.expires_at <= now:
        raise TokenError("The client secret of this token has expired.")
    # Permissions removed from the app since the token was issued are gone at once.
    granted = set(claims["roles"]) & set(secret.app.permissions)
    return TokenGrant(tenant=secret.app.tenant, secret=secret, permissions=effective_permissions(granted))

"""Access tokens for the API: short-lived JWTs (HS256) issued by the token endpoint, to app registrations
(client credentials) and to people signing in through a public client app (resource-owner password).

The signing key is derived from SECRET_KEY with a purpose-specific salt (salted_hmac) rather than
being SECRET_KEY itself: a value signed for another purpose (sessions, signed cookies, paging
cursors) can then never pass as a token, operators have one secret to keep and rotate, and rotating
SECRET_KEY voids every token at once (they live an hour, clients simply fetch a new one).

A token is checked against the database on every request (one query), so revoking an app's secret,
deleting its app, removing a permission, blocking or deleting a person, or changing or resetting
their password takes effect immediately, not when the token expires.

The two kinds are told apart as in Microsoft's tokens: an app's token carries `roles` (application
permissions), a person's token carries `scp` (delegated scopes) and the person's id as `oid`.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.crypto import salted_hmac

from tenantadmin.api.permissions import effective_permissions
from tenantadmin.models import AppRegistration, AppSecret, Tenant

AUDIENCE = "tenantadmin-api"
ALGORITHM = "HS256"
# Tolerated clock difference between the issuer and a verifier on another host.
LEEWAY_SECONDS = 30
_COMMON_CLAIMS = ["aud", "iss", "tid", "appid", "oid", "iat", "nbf", "exp", "jti"]
_APP_CLAIMS = [*_COMMON_CLAIMS, "sid", "roles"]
_USER_CLAIMS = [*_COMMON_CLAIMS, "upn", "scp", "pwd_at"]

# Delegated scopes: every person may read and change their own profile; an administrator's token
# also acts on the directory within what the person's roles allow (see tenantadmin.api.auth).
USER_SCOPES = ("User.Read", "User.ReadWrite")
DIRECTORY_SCOPE = "Directory.AccessAsUser.All"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class TokenError(Exception):
    """The token is not acceptable; the message is safe to show the client."""


@dataclass(frozen=True)
class TokenGrant:
    """What a valid app token lets its bearer do."""

    tenant: Tenant
    secret: AppSecret
    permissions: frozenset[str]

    @property
    def app(self):
        return self.secret.app


@dataclass(frozen=True)
class UserGrant:
    """A valid token of a person: who they are and the delegated scopes the token carries."""

    tenant: Tenant
    user: object  # AUTH_USER_MODEL: core reaches the users app only through Django's indirection
    scopes: frozenset[str]


def _signing_key() -> bytes:
    return salted_hmac("tenantadmin.api.token", "signing", algorithm="sha256").digest()


def issuer(tenant_id) -> str:
    return f"{settings.PUBLIC_URL}/{tenant_id}/v2.0"


def _lifetime_claims(now) -> dict:
    return {"iat": now, "nbf": now, "exp": now + timedelta(seconds=settings.API_TOKEN_LIFETIME_SECONDS),
            "jti": str(uuid.uuid4())}


def token_issue(*, secret: AppSecret, now=None) -> str:
    """A signed access token for the app of `secret`, carrying the app's current permissions."""
    app = secret.app
    claims = {
        "aud": AUDIENCE,
        "iss": issuer(app.tenant_id),
        "tid": str(app.tenant_id),
        "appid": str(app.client_id),
        "oid": str(app.pk),
        "sid": str(secret.pk),
        "roles": list(app.permissions),
        **_lifetime_claims(now or timezone.now()),
    }
    return jwt.encode(claims, _signing_key(), algorithm=ALGORITHM)


def user_scopes(user) -> tuple[str, ...]:
    """The delegated scopes a token of `user` carries."""
    return (*USER_SCOPES, DIRECTORY_SCOPE) if user.is_admin else USER_SCOPES


def _password_version(user) -> int:
    """The password's change time in whole microseconds: a token is only good for the password it was
    issued under. Exact, unlike comparing with `iat`, which JWT rounds to the second: a token fetched
    in the same second right after a change must work, one fetched just before it must not."""
    changed = user.password_changed_at
    return 0 if changed is None else (changed - _EPOCH) // timedelta(microseconds=1)


def user_token_issue(*, user, app: AppRegistration, now=None) -> str:
    """A signed access token for `user` signing in through the public client `app`."""
    claims = {
        "aud": AUDIENCE,
        "iss": issuer(user.tenant_id),
        "tid": str(user.tenant_id),
        "appid": str(app.client_id),
        "oid": str(user.pk),
        "upn": user.upn,
        "scp": " ".join(user_scopes(user)),
        "pwd_at": _password_version(user),
        **_lifetime_claims(now or timezone.now()),
    }
    return jwt.encode(claims, _signing_key(), algorithm=ALGORITHM)


def _claims(token: str) -> dict:
    try:
        claims = jwt.decode(
            token, _signing_key(), algorithms=[ALGORITHM], audience=AUDIENCE, leeway=LEEWAY_SECONDS,
            options={"require": _COMMON_CLAIMS},
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
    required = _USER_CLAIMS if "scp" in claims else _APP_CLAIMS
    if any(name not in claims for name in required):
        raise TokenError("Access token validation failure.")
    if claims["iss"] != issuer(claims["tid"]):
        raise TokenError("Access token validation failure. Invalid issuer.")
    return claims


def _ids(claims: dict, *names: str) -> list[uuid.UUID]:
    try:
        return [uuid.UUID(claims[name]) for name in names]
    except (TypeError, ValueError, AttributeError):
        raise TokenError("Access token is malformed.") from None


def _app_grant(claims: dict, now) -> TokenGrant:
    if not isinstance(claims["roles"], list):
        raise TokenError("Access token is malformed.")
    secret_id, app_id, tenant_id = _ids(claims, "sid", "oid", "tid")
    secret = (
        AppSecret.objects.select_related("app__tenant")
        .filter(pk=secret_id, app_id=app_id, tenant_id=tenant_id, app__tenant_id=tenant_id)
        .first()
    )
    if secret is None or secret.revoked_at is not None or str(secret.app.client_id) != claims["appid"]:
        raise TokenError("The client secret of this token was revoked or its application was removed.")
    if secret.expires_at <= now:
        raise TokenError("The client secret of this token has expired.")
    # Permissions removed from the app since the token was issued are gone at once.
    granted = set(claims["roles"]) & set(secret.app.permissions)
    return TokenGrant(tenant=secret.app.tenant, secret=secret, permissions=effective_permissions(granted))


def _user_grant(claims: dict, now) -> UserGrant:
    if not isinstance(claims["scp"], str) or not isinstance(claims["pwd_at"], int):
        raise TokenError("Access token is malformed.")
    user_id, tenant_id, client_id = _ids(claims, "oid", "tid", "appid")
    # One query: the person with their organization, and whether the app they signed in through
    # still lets people sign in (turning that off or deleting the app ends its people's tokens too).
    public_client = AppRegistration.objects.filter(tenant_id=OuterRef("tenant_id"), client_id=client_id,
                                                   public_client_enabled=True)
    user = (
        get_user_model().objects.select_related("tenant").annotate(app_allows_sign_in=Exists(public_client))
        .filter(pk=user_id, tenant_id=tenant_id, deleted_at__isnull=True)
        .first()
    )
    if user is None:
        raise TokenError("The user of this token no longer exists.")
    if not user.app_allows_sign_in:
        raise TokenError("The application of this token was removed or no longer allows sign-in by people.")
    if not user.is_active:
        raise TokenError("The user account is disabled.")
    if _password_version(user) != claims["pwd_at"]:
        raise TokenError("The password was changed or reset after this token was issued; sign in again.")
    if user.must_change_password_now(now):
        raise TokenError("The password is expired or temporary; change it in the admin center and sign in again.")
    return UserGrant(tenant=user.tenant, user=user, scopes=frozenset(claims["scp"].split()))


def token_verify(token: str, now=None) -> TokenGrant | UserGrant:
    """Check signature, lifetime, audience and issuer, then that the app's secret or the person is still
    good (one query)."""
    claims = _claims(token)
    now = now or timezone.now()
    return _user_grant(claims, now) if "scp" in claims else _app_grant(claims, now)

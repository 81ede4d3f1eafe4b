"""Bearer authentication for /v1.0 and the permission checks endpoints call.

Two kinds of callers carry a token: a program (client credentials: the app's application
permissions) and a person signing in through a public client app (delegated: the token's scopes AND
the person's administrator roles, checked the same way as in the portal).
"""

from django.core.exceptions import PermissionDenied
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from tenantadmin.actors import Actor, client_ip
from tenantadmin.api.errors import GraphError
from tenantadmin.api.tokens import DIRECTORY_SCOPE, TokenError, UserGrant, token_verify
from tenantadmin.roles import Perm, permissions_for

# What a person's role must allow for a delegated call to pass where an app would need the
# application permission: the same rights as the portal page doing the same thing (SPEC role table).
DELEGATED_PERMISSIONS: dict[str, frozenset[Perm]] = {
    "Organization.Read.All": frozenset({Perm.ORG_READ}),
    "Organization.ReadWrite.All": frozenset({Perm.ORG_WRITE}),
    "User.Read.All": frozenset({Perm.USERS_READ}),
    "User.ReadWrite.All": frozenset({Perm.USERS_WRITE}),
    # The portal shows groups to whoever may view users.
    "Group.Read.All": frozenset({Perm.USERS_READ}),
    "Group.ReadWrite.All": frozenset({Perm.GROUPS_WRITE}),
    "Domain.Read.All": frozenset({Perm.DOMAINS_READ}),
    "Domain.ReadWrite.All": frozenset({Perm.DOMAINS_WRITE}),
    # The whole directory: only a role holding every right (the global administrator).
    "Directory.Read.All": frozenset(Perm),
    "Directory.ReadWrite.All": frozenset(Perm),
    "RoleManagement.ReadWrite.Directory": frozenset({Perm.ROLES_ASSIGN}),
    "AuditLog.Read.All": frozenset({Perm.AUDIT_READ}),
    "Application.ReadWrite.All": frozenset({Perm.APPS_MANAGE}),
    "ServiceHealth.Read.All": frozenset({Perm.SERVICE_HEALTH}),
    "Billing.Read.All": frozenset({Perm.BILLING_READ}),
    "Billing.ReadWrite.All": frozenset({Perm.BILLING_WRITE}),
}

ME_ONLY_DELEGATED = "/me request is only valid with delegated authentication flow."


def delegated_permissions(user, scopes) -> frozenset[str]:
    """The application permissions a person's token stands for: none without the directory scope,
    else those whose rights the person's roles hold now (a role removed since sign-in is gone at once)."""
    if DIRECTORY_SCOPE not in scopes:
        return frozenset()
    rights = permissions_for(user.role_codes)
    return frozenset(name for name, needed in DELEGATED_PERMISSIONS.items() if needed <= rights)


class AppToken(HttpBearer):
    """An access token from the token endpoint, of an app or of a person; puts the caller's tenant,
    permissions and actor on the request (`api_user` is the person, None for an app).

    The name stays AppToken: it is the security scheme's name in the published OpenAPI document."""

    openapi_bearerFormat = "JWT"

    def __call__(self, request):
        # Raising (instead of returning None) lets the client see why: Graph says "Access token is empty."
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError(message="Access token is empty.")
        return self.authenticate(request, token.strip())

    def authenticate(self, request, token):
        try:
            grant = token_verify(token)
        except TokenError as exc:
            raise AuthenticationError(message=str(exc)) from None
        # The session middleware may have put a signed-in person's tenant here; the token decides.
        request.tenant = grant.tenant
        if isinstance(grant, UserGrant):
            request.api_app = None
            request.api_user = grant.user
            request.api_scopes = grant.scopes
            request.api_permissions = delegated_permissions(grant.user, grant.scopes)
            request.actor = Actor.for_user(grant.user, client_ip(request))
        else:
            request.api_app = grant.app
            request.api_user = None
            request.api_scopes = frozenset()
            request.api_permissions = grant.permissions
            request.actor = Actor.for_app(grant.app, client_ip(request))
        return grant


def require_any(request, *permissions: str) -> None:
    """403 unless the caller holds one of `permissions` (Graph lists them least to most privileged)."""
    if not request.api_permissions.intersection(permissions):
        raise PermissionDenied


def require_scope(request, scope: str) -> None:
    """For routes about the signed-in person (/me): a person's token carrying `scope`."""
    if request.api_user is None:
        raise GraphError(400, "BadRequest", ME_ONLY_DELEGATED)
    if scope not in request.api_scopes:
        raise PermissionDenied

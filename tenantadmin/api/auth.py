"""Bearer authentication for /v1.0 and the permission check endpoints call."""

from django.core.exceptions import PermissionDenied
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from tenantadmin.actors import Actor, client_ip
from tenantadmin.api.tokens import TokenError, token_verify


class AppToken(HttpBearer):
    """An access token from the token endpoint; puts the caller's tenant, app, permissions and actor on the request."""

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
        request.api_app = grant.app
        request.api_permissions = grant.permissions
        request.actor = Actor.for_app(grant.app, client_ip(request))
        return grant


def require_any(request, *permissions: str) -> None:
    """403 unless the token holds one of `permissions` (Graph lists them least to most privileged)."""
    if not request.api_permissions.intersection(permissions):
        raise PermissionDenied

"""POST /{tenant}/oauth2/v2.0/token: the client-credentials grant, answered as the Microsoft identity platform does.

Token clients (MSAL, azure-identity, curl scripts) parse OAuth 2.0 errors, not Graph's body, so
failures here use `error`, `error_description` (starting with the AADSTS code) and `error_codes`.
"""

import hmac
import uuid

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from ninja import Form, Router, Schema

from tenantadmin.api.errors import request_ids
from tenantadmin.api.tokens import token_issue
from tenantadmin.models import AppRegistration, Tenant
from tenantadmin.services.app_registrations import secret_digest

router = Router(tags=["Authentication"])

_FORM = "application/x-www-form-urlencoded"
_REQUIRED = ("grant_type", "client_id", "client_secret", "scope")
_DEFAULT_SCOPE_SUFFIX = "/.default"


class TokenResponse(Schema):
    token_type: str
    expires_in: int
    ext_expires_in: int
    access_token: str


class OAuthError(Schema):
    error: str
    error_description: str
    error_codes: list[int]
    timestamp: str
    trace_id: str
    correlation_id: str


def _error(request, status: int, error: str, code: int, text: str) -> JsonResponse:
    trace_id, correlation_id = request_ids(request)
    return JsonResponse({
        "error": error,
        "error_description": f"AADSTS{code}: {text}",
        "error_codes": [code],
        "timestamp": timezone.now().strftime("%Y-%m-%d %H:%M:%SZ"),
        "trace_id": trace_id,
        "correlation_id": correlation_id,
    }, status=status, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _tenant(identifier: str) -> Tenant | None:
    """The tenant named by its id or by any of its verified domains."""
    try:
        return Tenant.objects.filter(pk=uuid.UUID(identifier)).first()
    except ValueError:
        # Reverse relation: core does not import the domains app.
        return Tenant.objects.filter(domains__name=identifier.lower(), domains__verified_at__isnull=False).first()


def _app(tenant: Tenant, client_id: str) -> AppRegistration | None:
    try:
        return AppRegistration.objects.filter(tenant=tenant, client_id=uuid.UUID(client_id)).first()
    except ValueError:
        return None


def _matching_secret(app: AppRegistration, client_secret: str):
    """The app's live secret with this text, comparing every digest in constant time."""
    digest = secret_digest(client_secret)
    match = None
    for secret in app.secrets.filter(revoked_at__isnull=True):
        if hmac.compare_digest(secret.digest, digest):
            match = secret
    return match


@router.post(
    "/{tenant}/oauth2/v2.0/token", auth=None, url_name="api-token",
    response={200: TokenResponse, 400: OAuthError, 401: OAuthError},
    summary="Get an access token (client credentials)",
    openapi_extra={"requestBody": {"required": True, "content": {_FORM: {"schema": {"required": list(_REQUIRED)}}}}},
)
def token(request, tenant: str, grant_type: Form[str | None] = None, client_id: Form[str | None] = None,
          client_secret: Form[str | None] = None, scope: Form[str | None] = None):
    """`tenant` is the organization's id or one of its verified domains. Send `grant_type=client_credentials`,
    the app's `client_id` and `client_secret`, and `scope=https://graph.microsoft.com/.default` (any
    `<resource>/.default` works), form-encoded. Use the returned `access_token` as `Authorization: Bearer ...`
    on /v1.0 until `expires_in` seconds have passed, then ask again."""
    organization = _tenant(tenant)
    if organization is None:
        return _error(request, 400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
    values = {"grant_type": grant_type, "client_id": client_id, "client_secret": client_secret, "scope": scope}
    for name in _REQUIRED:
        if not (values[name] or "").strip():
            return _error(request, 400, "invalid_request", 900144,
                          f"The request body must contain the following parameter: '{name}'.")
    if grant_type != "client_credentials":
        return _error(request, 400, "unsupported_grant_type", 70003,
                      f"The app requested an unsupported grant type '{grant_type}'.")
    if " " in scope.strip() or not scope.endswith(_DEFAULT_SCOPE_SUFFIX) or scope == _DEFAULT_SCOPE_SUFFIX:
        return _error(request, 400, "invalid_scope", 1002012,
                      f"The provided value for scope {scope} is not valid. Client credential flows must have a "
                      f"scope value with /.default suffixed to the resource identifier (application ID URI).")
    app = _app(organization, client_id.strip())
    if app is None:
        return _error(request, 400, "unauthorized_client", 700016,
                      f"Application with identifier '{client_id}' was not found in the directory "
                      f"'{organization.pk}'.")
    secret = _matching_secret(app, client_secret)
    if secret is None:
        return _error(request, 401, "invalid_client", 7000215, "Invalid client secret provided.")
    if secret.expires_at <= timezone.now():
        return _error(request, 401, "invalid_client", 7000222,
                      f"The provided client secret keys for app '{app.client_id}' are expired.")
    lifetime = settings.API_TOKEN_LIFETIME_SECONDS
    return JsonResponse(
        {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime,
         "access_token": token_issue(secret=secret)},
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )

"""POST /{tenant}/oauth2/v2.0/token: the client-credentials grant (programs) and the resource-owner
password grant (people, through a public client app), answered as the Microsoft identity platform does.

Token clients (MSAL, azure-identity, curl scripts) parse OAuth 2.0 errors, not Graph's body, so
failures here use `error`, `error_description` (starting with the AADSTS code) and `error_codes`.
"""

import hmac
import uuid

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, user_logged_in
from django.http import JsonResponse
from django.utils import timezone
from ninja import Form, Router, Schema

from tenantadmin.api.errors import request_ids
from tenantadmin.api.tokens import DIRECTORY_SCOPE, USER_SCOPES, token_issue, user_scopes, user_token_issue
from tenantadmin.models import AppRegistration, Tenant
from tenantadmin.services.app_registrations import secret_digest

router = Router(tags=["Authentication"])

_FORM = "application/x-www-form-urlencoded"
_CLIENT_CREDENTIALS_FIELDS = ("client_id", "client_secret", "scope")
_PASSWORD_FIELDS = ("client_id", "username", "password", "scope")
_DEFAULT_SCOPE_SUFFIX = "/.default"
# Scopes a person's sign-in may ask for: OpenID Connect's, a resource's .default, or our delegated
# scopes (bare or with the resource in front, e.g. https://graph.microsoft.com/User.Read).
_OPENID_SCOPES = {"openid", "profile", "email", "offline_access"}
_DELEGATED_SCOPES = {scope.lower() for scope in (*USER_SCOPES, DIRECTORY_SCOPE)}
_BAD_CREDENTIALS = "Error validating credentials due to invalid username or password."
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class TokenResponse(Schema):
    token_type: str
    scope: str | None = None
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
    }, status=status, headers=_NO_STORE)


def _token_response(access_token: str, scope: str | None = None) -> JsonResponse:
    lifetime = settings.API_TOKEN_LIFETIME_SECONDS
    body = {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": access_token}
    if scope is not None:
        body["scope"] = scope
    return JsonResponse(body, headers=_NO_STORE)


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


def _missing(request, values: dict, names) -> JsonResponse | None:
    for name in names:
        if not (values[name] or "").strip():
            return _error(request, 400, "invalid_request", 900144,
                          f"The request body must contain the following parameter: '{name}'.")
    return None


def _unknown_app(request, organization, client_id) -> JsonResponse:
    return _error(request, 400, "unauthorized_client", 700016,
                  f"Application with identifier '{client_id}' was not found in the directory '{organization.pk}'.")


def _check_secret(request, app, client_secret: str):
    """(the app's live secret with this text, None), or (None, the OAuth error to answer)."""
    secret = _matching_secret(app, client_secret)
    if secret is None:
        return None, _error(request, 401, "invalid_client", 7000215, "Invalid client secret provided.")
    if secret.expires_at <= timezone.now():
        return None, _error(request, 401, "invalid_client", 7000222,
                            f"The provided client secret keys for app '{app.client_id}' are expired.")
    return secret, None


def _client_credentials(request, organization, values) -> JsonResponse:
    scope = values["scope"]
    if " " in scope.strip() or not scope.endswith(_DEFAULT_SCOPE_SUFFIX) or scope == _DEFAULT_SCOPE_SUFFIX:
        return _error(request, 400, "invalid_scope", 1002012,
                      f"The provided value for scope {scope} is not valid. Client credential flows must have a "
                      f"scope value with /.default suffixed to the resource identifier (application ID URI).")
    app = _app(organization, values["client_id"].strip())
    if app is None:
        return _unknown_app(request, organization, values["client_id"])
    secret, failure = _check_secret(request, app, values["client_secret"])
    if failure:
        return failure
    return _token_response(token_issue(secret=secret))


def _known_scope(scope: str) -> bool:
    lowered = scope.lower()
    if lowered in _OPENID_SCOPES:
        return True
    if scope.endswith(_DEFAULT_SCOPE_SUFFIX):
        return scope != _DEFAULT_SCOPE_SUFFIX
    return lowered.rsplit("/", 1)[-1] in _DELEGATED_SCOPES


def _blocked_with_this_password(organization, username: str, password: str) -> bool:
    """Right credentials of a blocked account of this organization: only someone who knows the password
    learns that the account is disabled, as with Microsoft's AADSTS50057."""
    user = get_user_model().objects.filter(tenant=organization, upn__iexact=username.strip(), deleted_at__isnull=True,
                                           is_active=False).first()
    return user is not None and user.check_password(password)


def _password(request, organization, values) -> JsonResponse:
    unknown = next((scope for scope in values["scope"].split() if not _known_scope(scope)), None)
    if unknown:
        return _error(request, 400, "invalid_scope", 70011,
                      f"The provided value for the input parameter 'scope' is not valid. The scope '{unknown}' "
                      f"does not exist.")
    app = _app(organization, values["client_id"].strip())
    if app is None:
        return _unknown_app(request, organization, values["client_id"])
    if not app.public_client_enabled:
        return _error(request, 400, "unauthorized_client", 7000218,
                      f"Public client flows are not enabled for application '{app.client_id}': an administrator "
                      f"must turn on 'Allow sign-in by people (public client)' in its app registration.")
    # A public client needs no secret; one that sends a secret must send a good one.
    if values["client_secret"]:
        _secret, failure = _check_secret(request, app, values["client_secret"])
        if failure:
            return failure
    # Through django-axes: failures count towards the same lockout as the portal's sign-in page.
    user = authenticate(request, username=values["username"], password=values["password"])
    if user is None:
        if getattr(request, "axes_locked_out", False):
            # Answered here in OAuth's shape; left set, AxesMiddleware would swap in its HTML page.
            request.axes_locked_out = False
            return _error(request, 400, "invalid_grant", 50053,
                          "The account is locked because the user tried to sign in too many times with an incorrect "
                          "user ID or password. Try again later.")
        if _blocked_with_this_password(organization, values["username"], values["password"]):
            return _error(request, 400, "invalid_grant", 50057, "The user account is disabled.")
        return _error(request, 400, "invalid_grant", 50126, _BAD_CREDENTIALS)
    # Another organization's member (or support staff) gets the same answer as a wrong password.
    if user.tenant_id != organization.pk:
        return _error(request, 400, "invalid_grant", 50126, _BAD_CREDENTIALS)
    if user.must_change_password_now():
        return _error(request, 400, "invalid_grant", 50055,
                      "The password is expired. Change it by signing in to the admin center, then ask for a token "
                      "again.")
    # A sign-in like the portal's: records the last sign-in and clears the lockout counter (axes).
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return _token_response(user_token_issue(user=user, app=app), " ".join(user_scopes(user)))


@router.post(
    "/{tenant}/oauth2/v2.0/token", auth=None, url_name="api-token",
    response={200: TokenResponse, 400: OAuthError, 401: OAuthError},
    summary="Get an access token (client credentials, or a person's user name and password)",
    openapi_extra={"requestBody": {"required": True, "content": {_FORM: {"schema": {
        "required": ["grant_type", "client_id", "scope"],
        "properties": {"username": {"type": "string"}, "password": {"type": "string", "format": "password"}},
    }}}}},
)
def token(request, tenant: str, grant_type: Form[str | None] = None, client_id: Form[str | None] = None,
          client_secret: Form[str | None] = None, scope: Form[str | None] = None,
          username: Form[str | None] = None, password: Form[str | None] = None):
    """`tenant` is the organization's id or one of its verified domains. Form-encoded.

    **Programs**: `grant_type=client_credentials`, the app's `client_id` and `client_secret`, and
    `scope=https://graph.microsoft.com/.default` (any `<resource>/.default` works). The token carries the
    app's application permissions (`roles`).

    **People**: `grant_type=password`, the `client_id` of an app that allows sign-in by people (public
    client), the person's `username` (user ID) and `password`, and `scope` (e.g. `User.Read` or
    `https://graph.microsoft.com/.default`); `client_secret` is optional. The token carries delegated
    scopes (`scp`): `User.Read User.ReadWrite`, plus `Directory.AccessAsUser.All` for administrators. A
    temporary or expired password is refused (AADSTS50055) until it is changed in the admin center;
    repeated wrong passwords lock the account as on the sign-in page (AADSTS50053).

    Use the returned `access_token` as `Authorization: Bearer ...` on /v1.0 until `expires_in` seconds
    have passed, then ask again."""
    organization = _tenant(tenant)
    if organization is None:
        return _error(request, 400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
    values = {"grant_type": grant_type, "client_id": client_id, "client_secret": client_secret, "scope": scope,
              "username": username, "password": password}
    if grant_type == "client_credentials":
        missing = _missing(request, values, _CLIENT_CREDENTIALS_FIELDS)
        return missing or _client_credentials(request, organization, values)
    if grant_type == "password":
        missing = _missing(request, values, _PASSWORD_FIELDS)
        return missing or _password(request, organization, values)
    return _missing(request, values, ["grant_type"]) or _error(
        request, 400, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant_type}'.")

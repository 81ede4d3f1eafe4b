"""The NinjaAPI instance: every route, the bearer authentication and the Graph error handlers."""

from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.urls import get_script_prefix
from ninja import NinjaAPI

from tenantadmin.api import applications, audit_logs, organization, service_settings, token_endpoint
from tenantadmin.api.auth import AppToken
from tenantadmin.api.errors import register_error_handlers
from tenantadmin.api.shapes import API_ROOT

DESCRIPTION = f"""
A REST API for the admin center, shaped like Microsoft Graph v1.0 so scripts written for Graph run
here after changing the base URL.

**Authentication.** An administrator registers an app in the admin center and creates a client
secret for it (an app holding `Application.ReadWrite.All` can also do so through
`{API_ROOT}/applications`). The app gets a token with the OAuth 2.0 client-credentials grant:
`POST /{{tenant}}/oauth2/v2.0/token` with `grant_type=client_credentials`, `client_id`, `client_secret`
and `scope=https://graph.microsoft.com/.default`, where `{{tenant}}` is the organization's id or one
of its verified domains. Send the token as `Authorization: Bearer <token>` on every `{API_ROOT}`
call. A token is bound to its organization and carries the app's application permissions
(e.g. `Organization.Read.All`); revoking the secret or removing a permission takes effect at once.

**People** sign in through an app whose registration allows sign-in by people (public client,
Graph's `isFallbackPublicClient`) with the resource-owner password grant: `grant_type=password`,
`client_id`, `username`, `password` and `scope` (e.g. `User.Read`). Their token carries delegated
scopes: `User.Read User.ReadWrite` (the person's own profile and password on `{API_ROOT}/me`), plus
`Directory.AccessAsUser.All` for administrators. With that scope a person may call the other
endpoints where their administrator roles allow what the application permission named by the
endpoint allows, exactly as in the admin center: `Organization.Read.All` needs a role that views the
organization, `Organization.ReadWrite.All` one that changes it, `User.Read.All`/`User.ReadWrite.All`
one that views/changes users, `AuditLog.Read.All` one that reads the audit log,
`Application.ReadWrite.All` one that manages app registrations, `Directory.*.All` the global
administrator. A person's token stops working at once when the person is blocked or deleted, when
their password is changed or reset, or when the app no longer allows sign-in by people; a temporary
or expired password must first be changed in the admin center.

**Errors.** Every `{API_ROOT}` error has Graph's body:
`{{"error": {{"code": "...", "message": "...", "innerError": {{"date", "request-id", "client-request-id"}}}}}}`.
Codes: `BadRequest` (400, also for invalid bodies), `InvalidAuthenticationToken` (401),
`Authorization_RequestDenied` (403), `Request_ResourceNotFound` (404; also for another
organization's objects), `MethodNotAllowed` (405), `Request_UnsupportedQuery` (400, an OData option
we do not support), `InternalServerError` (500). The token endpoint answers OAuth 2.0 errors
(`error`, `error_description` with the AADSTS code, `error_codes`) as the Microsoft identity
platform does.

**OData query options** on collections: `$filter` (eq, ne, gt, ge, lt, le, and, or, not,
startswith, endswith), `$orderby`, `$select`, `$top` (default 100, at most 999), `$count=true`.
Follow `@odata.nextLink` for the next page; its `$skiptoken` is opaque.

**Extensions.** Resources that Graph does not have live under `{API_ROOT}/tenantadmin/...`
(e.g. `{API_ROOT}/tenantadmin/serviceSettings`) and follow the same conventions.
`{API_ROOT}/tenantadmin/userViews` holds the custom views of the Users page (saved filters shared by the
organization's administrators, at most 50): `displayName` and `filters` (`skuId`, `withoutLicenses`,
`domain`, `department`, `usageLocation`, `accountEnabled`, `roleTemplateId`, `memberOfGroupId`, ANDed);
`{API_ROOT}/tenantadmin/userViews/{{id}}/users` lists the users a view shows.
"""


class GraphAPI(NinjaAPI):
    def get_root_path(self, path_params):
        # Routes carry their full paths (/v1.0/... and the token endpoint outside it), so the API
        # sits at the site root and ninja's own root view is not mounted (urls.py drops it).
        return get_script_prefix()


api = GraphAPI(
    title="tenantadmin API",
    version="v1.0",
    description=DESCRIPTION,
    openapi_url=f"{API_ROOT}/openapi.json",
    docs_url=f"{API_ROOT}/docs",
    auth=AppToken(),
    urls_namespace="tenantadmin-api",
)
register_error_handlers(api)

api.add_router("", token_endpoint.router)
api.add_router(API_ROOT, organization.router)
api.add_router(API_ROOT, audit_logs.router)
api.add_router(API_ROOT, applications.router)
api.add_router(API_ROOT, service_settings.router)


def _app_routers():
    """The `router` of each of our apps that has an `api` module, in INSTALLED_APPS order.

    Core imports no app built on it (DESIGN "Imports flow one way"), so it finds their routes instead
    of naming them. Our apps are the packages in the project directory: a third-party app that happens
    to have an `api` module is never mounted. An error inside an app's `api` module is not swallowed.
    """
    for config in apps.get_app_configs():
        if config.name == "tenantadmin" or Path(config.path).resolve().parent != settings.BASE_DIR:
            continue
        if find_spec(f"{config.name}.api") is not None:
            yield import_module(f"{config.name}.api").router


for _router in _app_routers():
    api.add_router(API_ROOT, _router)

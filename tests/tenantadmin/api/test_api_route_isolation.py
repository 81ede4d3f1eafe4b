"""Walks every API route that names an object: another organization's token gets a 404 Graph
error for organization A's objects, whatever the method and body, and nothing of A changes.

The walk reads the ninja routers, so a new route is covered the day it is added: a route with a
path parameter this module does not know fails until a maker is added below.
"""

import re

import pytest
from django.utils import timezone

from tenantadmin.api.app import api
from tenantadmin.api.permissions import APPLICATION_PERMISSIONS
from tenantadmin.models import AppRegistration, AppSecret, AuditEvent, Tenant
from tenantadmin.roles import Role
from tenantadmin.actors import Actor
from users.api_shapes import directory_role_id
from users.custom_view_services import custom_view_create
from users.group_services import group_create, group_members_add
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, register_app, token_for

pytestmark = pytest.mark.django_db

# A valid body per route, so the request reaches the object lookup instead of stopping at a 400.
BODIES = {"addPassword": {"passwordCredential": {"displayName": "x"}},
          "removePassword": {"keyId": "00000000-0000-0000-0000-000000000000"},
          "assignLicense": {"addLicenses": [], "removeLicenses": []},
          "messages": {"body": "Written by B"}}
DEFAULT_BODIES = {"patch": {"displayName": "Renamed by B"}, "post": {}}


def object_routes():
    routes = []
    # ninja lists routers mounted inside an app's router (one module per capability) in _routers only once the
    # API is bound, and then with a "v1.0/" prefix: bind first and normalise the slashes.
    api._get_bound_routers()
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            params = re.findall(r"{(\w+)}", path)
            if not params or path.startswith("/{tenant}/oauth2"):
                continue
            full = "/" + re.sub(r"/+", "/", f"{prefix}/{path}").strip("/")
            for operation in view.operations:
                for method in operation.methods:
                    routes.append((method.lower(), full, tuple(params)))
    return sorted(set(routes), key=lambda route: (route[1], route[0]))


ROUTES = object_routes()


def test_the_walk_finds_the_object_routes():
    paths = {path for _method, path, _params in ROUTES}
    assert {"/v1.0/organization/{org_id}", "/v1.0/applications/{app_id}",
            "/v1.0/auditLogs/directoryAudits/{audit_id}"} <= paths


def makers(org):
    app, _secret, _plain = register_app(org.tenant, ["User.Read.All"], name="A's app")
    event = AuditEvent.objects.filter(tenant=org.tenant).order_by("id").first()
    return {"org_id": str(org.tenant.pk), "app_id": str(app.pk), "audit_id": str(event.pk),
            "user_id": str(org.user.pk), "member_id": str(org.global_admin.pk),
            "role_id": directory_role_id(org.tenant.pk, Role.GLOBAL_ADMIN),
            **group_makers(org), **billing_makers(org), **deleted_item_makers(org), **domain_makers(org),
            **partner_makers(org), **support_makers(org)}


def support_makers(org) -> dict:
    """A service request of A (support's helper)."""
    from tests.support.requesthelpers import open_request

    return {"service_request_id": str(open_request(org).pk)}


def partner_makers(org) -> dict:
    """A's delegated administrator, A's customer (A is a partner too) and an invitation A sent."""
    from tests.billing.partnerhelpers import partner_api_makers

    return partner_api_makers(org)


def domain_makers(org) -> dict:
    """A's verified, hosted domain (Graph's id is the name) and a custom DNS record in its zone."""
    from tests.domains.domain_helpers import hosted_domain

    domain, record = hosted_domain(org.tenant, "isolation-walk.com")
    return {"domain_id": domain.name, "record_id": str(record.pk)}


def deleted_item_makers(org) -> dict:
    """A user A deleted (on A's deleted items)."""
    from tests.factories import make_user
    from users.lifecycle_services import user_delete

    person = make_user(org.tenant, "deletedwalker")
    user_delete(user=person, actor=Actor.system("tests"))
    return {"item_id": str(person.pk)}


def billing_makers(org) -> dict:
    """A's sign-up trial and an order A placed (billing's purchase helper)."""
    from tests.billing.billinghelpers import buy

    order = buy(org, "STANDARDPACK", 1, now=timezone.now())
    return {"subscription_id": str(org.tenant.subscriptions.order_by("created_at").first().pk),
            "order_id": str(order.pk)}


def group_makers(org) -> dict:
    """A's security group with A's plain user in it, and a custom view showing that group's members."""
    actor = Actor.system("tests")
    group = group_create(tenant=org.tenant, actor=actor, display_name="A's group")
    group_members_add(group=group, actor=actor, user_ids=[org.user.pk])
    view = custom_view_create(tenant=org.tenant, actor=actor, name="A's view", filters={"group": str(group.pk)})
    return {"group_id": str(group.pk), "member_id": str(org.user.pk), "view_id": str(view.pk)}


@pytest.mark.parametrize("method, path, params", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_other_tenant_gets_404_on_every_object_route(client, org_a, org_b, method, path, params):
    ids = makers(org_a)
    unknown = [p for p in params if p not in ids]
    assert not unknown, f"{path} has parameters {unknown}: add a maker to this test"
    url = re.sub(r"{(\w+)}", lambda m: ids[m.group(1)], path)
    caller = Api(client, token_for(client, org_b.tenant, list(APPLICATION_PERMISSIONS), name="B's app"))
    before = (Tenant.objects.get(pk=org_a.tenant.pk).name, AppRegistration.objects.filter(tenant=org_a.tenant).count(),
              AppSecret.objects.filter(tenant=org_a.tenant).count())
    body = BODIES.get(path.rsplit("/", 1)[-1], DEFAULT_BODIES.get(method))
    response = caller.get(url) if method == "get" else (
        caller.delete(url) if method == "delete" else getattr(caller, method)(url, body))
    assert_graph_error(response, 404, "Request_ResourceNotFound")
    after = (Tenant.objects.get(pk=org_a.tenant.pk).name, AppRegistration.objects.filter(tenant=org_a.tenant).count(),
             AppSecret.objects.filter(tenant=org_a.tenant).count())
    assert before == after

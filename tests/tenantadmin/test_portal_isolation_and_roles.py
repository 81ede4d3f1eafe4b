"""Walks every portal URL: another organization gets 404, a role without the right gets 403.

The walk reads the URL configuration, so a new page is covered as soon as it is added.
"""

import pytest
from django.urls import reverse

from tenantadmin.models import AppRegistration, AppSecret
from tenantadmin.roles import Perm, permissions_for
from tests.conftest import ROLE_NAMES
from tests.portal_urls import MEMBER_NAMES, PUBLIC_NAMES, TenantObjects, portal_patterns

pytestmark = pytest.mark.django_db

PATTERNS = portal_patterns()
# Public pages take signed tokens, not objects; they are tested with their own flows.
PARAMETERISED = [(name, route, cb) for name, route, cb in PATTERNS if "<" in route and name not in PUBLIC_NAMES]


def test_the_walk_finds_the_portal():
    names = {name for name, _route, _cb in PATTERNS}
    assert {"tenantadmin:overview", "tenantadmin:audit_log", "tenantadmin:app_detail", "users:list",
            "domains:list", "billing:subscriptions", "support:health", "lync:settings"} <= names


def test_every_portal_view_declares_who_may_use_it():
    undeclared = [name for name, _route, callback in PATTERNS
                  if name not in PUBLIC_NAMES and not hasattr(callback, "required_perms")]
    assert not undeclared, f"views without require_perm/require_member: {undeclared}"


@pytest.mark.parametrize("name, route", [(n, r) for n, r, _cb in PARAMETERISED])
def test_other_tenant_gets_404_for_every_object_url(name, route, org_a, org_b, client_for):
    objects_a = TenantObjects(org_a)
    url = reverse(name, kwargs=objects_a.kwargs_for(route))
    client = client_for(org_b.global_admin)
    statuses = {method: getattr(client, method)(url).status_code for method in ("get", "post")}
    # GET may be refused with 405 on POST-only views before any lookup; that reveals nothing.
    assert statuses["post"] == 404 or (statuses["post"] == 405 and statuses["get"] == 404), statuses
    assert statuses["get"] in (404, 405), statuses
    # Nothing of A changed through B's requests.
    assert AppRegistration.objects.filter(tenant=org_a.tenant).count() == len(
        [k for k in objects_a._cache if k == "app"])
    assert not AppSecret.objects.filter(tenant=org_a.tenant, revoked_at__isnull=False).exists()


def _expected_forbidden(callback, role_name) -> bool:
    required = set(getattr(callback, "required_perms", ()))
    role_codes = () if role_name == "user" else [ROLE_CODE[role_name]]
    return not required <= permissions_for(role_codes)


ROLE_CODE = {"global_admin": "global_admin", "user_admin": "user_admin", "billing_admin": "billing_admin",
             "password_admin": "password_admin", "service_admin": "service_admin"}


@pytest.mark.parametrize("role_name", ROLE_NAMES)
def test_each_role_is_refused_exactly_the_pages_its_role_lacks(role_name, org_a, client_for):
    objects_a = TenantObjects(org_a)
    person = org_a.member(role_name)
    client = client_for(person)
    mismatches = []
    for name, route, callback in PATTERNS:
        if name in PUBLIC_NAMES:
            continue
        url = reverse(name, kwargs=objects_a.kwargs_for(route))
        status = client.get(url).status_code
        if status == 405:  # POST-only action
            status = client.post(url).status_code
        forbidden = _expected_forbidden(callback, role_name)
        if forbidden and status != 403:
            mismatches.append((name, status, "expected 403"))
        if not forbidden and status == 403:
            mismatches.append((name, status, "expected access"))
    assert not mismatches, mismatches


# The SPEC role table, spelled out for the pages that exist, independent of the code's mapping.
SPEC_ACCESS = {
    "tenantadmin:audit_log": {"global_admin"},
    "tenantadmin:apps": {"global_admin"},
    "tenantadmin:organization_edit": {"global_admin"},
    "tenantadmin:organization": {"global_admin", "user_admin", "billing_admin", "password_admin", "service_admin"},
    "tenantadmin:service_settings": {"global_admin", "service_admin"},
    "billing:subscriptions": {"global_admin", "billing_admin"},
    "billing:purchase": {"global_admin", "billing_admin"},
    "users:list": {"global_admin", "user_admin", "password_admin", "service_admin"},
    "support:requests": {"global_admin", "billing_admin", "password_admin", "service_admin"},
    "support:health": {"global_admin", "billing_admin", "password_admin", "service_admin"},
    "users:profile": set(ROLE_NAMES),
}


@pytest.mark.parametrize("name, allowed", SPEC_ACCESS.items())
def test_spec_role_table(name, allowed, org_a, client_for):
    for role_name in ROLE_NAMES:
        status = client_for(org_a.member(role_name)).get(reverse(name)).status_code
        assert (status == 200) == (role_name in allowed), (name, role_name, status)


def test_staff_without_organization_get_403_in_the_portal(client, django_user_model):
    staff = django_user_model.objects.create_superuser("support@operator.example", "Staff#Pass123")
    client.force_login(staff, backend="users.backends.PrincipalNameBackend")
    assert client.get(reverse("tenantadmin:overview")).status_code == 403
    assert client.get("/")["Location"] == reverse("admin:index")


def test_member_pages_need_sign_in_only(org_a, client_for):
    for name in MEMBER_NAMES:
        assert client_for(org_a.user).get(reverse(name)).status_code == 200


def test_left_pane_shows_only_what_the_role_may_open(org_a, client_for):
    page = client_for(org_a.billing_admin).get(reverse("tenantadmin:overview")).content.decode()
    assert reverse("billing:subscriptions") in page and reverse("tenantadmin:audit_log") not in page
    assert Perm.AUDIT_READ not in permissions_for(["billing_admin"])

"""`manage.py seed_demo`: the demo organization, built once, and signed in to with the printed password."""

import io
import json

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from billing.models import Subscription
from domains.models import Domain
from tenantadmin.models import AppRegistration, AppSecret, AuditEvent, Tenant
from tenantadmin.roles import Role
from tenantadmin.services.app_registrations import secret_digest
from users.models import RoleAssignment, User

pytestmark = pytest.mark.django_db


def seed() -> dict:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return json.loads(out.getvalue())


def counts() -> dict:
    return {model.__name__: model.objects.count()
            for model in (Tenant, User, Domain, Subscription, RoleAssignment, AppRegistration, AppSecret, AuditEvent)}


def test_seed_demo_builds_the_demo_organization():
    result = seed()

    tenant = Tenant.objects.get(pk=result["tenant_id"])
    assert result["created"] is True
    assert tenant.name == "Contoso Demo"
    assert result["admin_upn"] == f"admin@contosodemo.{settings.INITIAL_DOMAIN_SUFFIX}"
    assert result["sign_in_url"] == settings.PUBLIC_URL + "/signin/"
    people = User.objects.filter(tenant=tenant)
    assert result["users"] == people.count() >= 25
    assert {user.domain for user in people} == {tenant.initial_domain, "contoso.example"}
    assert people.filter(is_active=False).exists()
    assert people.values("department").distinct().count() >= 5
    assert people.values("usage_location").distinct().count() >= 5
    assert set(RoleAssignment.objects.filter(tenant=tenant).values_list("role", flat=True)) == set(Role.values)


def test_seed_demo_domains_subscriptions_and_app():
    result = seed()
    tenant = Tenant.objects.get(pk=result["tenant_id"])

    assert Domain.objects.get(tenant=tenant, name="contoso.example").is_verified
    assert not Domain.objects.get(tenant=tenant, name="fabrikam.example").is_verified
    plans = {(s.sku.part_number, s.is_trial, s.quantity) for s in Subscription.objects.filter(tenant=tenant)}
    assert plans == {("ENTERPRISEPACK", True, 25), ("LITEPACK", False, 10)}
    app = AppRegistration.objects.get(tenant=tenant, client_id=result["demo_app"]["client_id"])
    assert app.permissions == ["AuditLog.Read.All", "Directory.Read.All"]
    assert AppSecret.objects.get(app=app).digest == secret_digest(result["demo_app"]["client_secret"])


def test_seed_demo_leaves_an_audit_trail():
    result = seed()

    actions = set(AuditEvent.objects.filter(tenant_id=result["tenant_id"]).values_list("action", flat=True))
    assert {"organization.create", "domain.create", "domain.verify", "user.create", "role.assign",
            "subscription.trial_start", "subscription.create", "app_registration.create",
            "app_secret.create"} <= actions


def test_seed_demo_twice_creates_nothing_and_prints_no_secret():
    first = seed()
    before = counts()

    second = seed()

    assert counts() == before
    assert second["created"] is False
    assert second["tenant_id"] == first["tenant_id"]
    assert second["demo_app"] == {"client_id": first["demo_app"]["client_id"]}
    assert set(second) == set(first)


def sign_in(username: str, password: str):
    # Through every configured backend; django-axes needs the request that Client.login does not pass.
    return authenticate(RequestFactory().post("/signin/"), username=username, password=password)


def test_demo_admin_and_demo_users_sign_in_with_the_printed_password():
    result = seed()

    admin = sign_in(result["admin_upn"], result["admin_password"])
    assert admin is not None and admin.is_global_admin
    assert sign_in("adele.vance@contoso.example", result["admin_password"]) is not None


def test_blocked_demo_user_cannot_sign_in():
    result = seed()
    blocked = User.objects.filter(tenant_id=result["tenant_id"], is_active=False).first()

    assert sign_in(blocked.upn, result["admin_password"]) is None


def test_the_printed_demo_app_can_call_the_readme_examples(client):
    result = seed()
    app = result["demo_app"]
    token = client.post(f"/{result['domains'][1]}/oauth2/v2.0/token", {
        "grant_type": "client_credentials", "client_id": app["client_id"], "client_secret": app["client_secret"],
        "scope": "https://graph.microsoft.com/.default"}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/v1.0/organization", headers=headers).json()["value"][0]["displayName"] == "Contoso Demo"
    assert client.get("/v1.0/auditLogs/directoryAudits", {"$top": "5"}, headers=headers).status_code == 200

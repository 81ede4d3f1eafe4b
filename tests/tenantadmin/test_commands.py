"""The operator commands create_tenant and create_app_registration: one JSON object out, nothing half-made."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from billing.models import Subscription
from domains.models import Domain
from tenantadmin.models import AppRegistration, AppSecret, AuditEvent, Tenant
from tenantadmin.roles import Role
from tenantadmin.services.app_registrations import secret_digest
from users.models import User

pytestmark = pytest.mark.django_db

TENANT_ARGS = ["--name", "Fabrikam", "--initial-domain", "fabrikam", "--admin-username", "jo",
               "--admin-password", "Harbour#Light7", "--admin-email", "jo@example.net"]


def run(command: str, *args) -> dict:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return json.loads(out.getvalue())


def test_create_tenant_makes_domain_global_admin_and_trial():
    result = run("create_tenant", *TENANT_ARGS)

    tenant = Tenant.objects.get(pk=result["tenant_id"])
    assert result["initial_domain"] == tenant.initial_domain == "fabrikam.tenantadmin.example"
    assert result["admin_upn"] == "jo@fabrikam.tenantadmin.example"
    assert tenant.name == "Fabrikam" and tenant.country == "US"
    assert Domain.objects.get(tenant=tenant).is_initial
    admin = User.objects.get(upn=result["admin_upn"], tenant=tenant)
    assert admin.role_codes == {Role.GLOBAL_ADMIN}
    assert admin.alternate_email == "jo@example.net"
    assert admin.check_password("Harbour#Light7")
    trial = Subscription.objects.get(tenant=tenant)
    assert trial.is_trial and trial.sku.part_number == "ENTERPRISEPACK"


def test_create_tenant_with_options_and_no_plan():
    result = run("create_tenant", *TENANT_ARGS, "--country", "de", "--language", "de", "--plan", "none")

    tenant = Tenant.objects.get(pk=result["tenant_id"])
    assert (tenant.country, tenant.preferred_language) == ("DE", "de")
    assert not Subscription.objects.filter(tenant=tenant).exists()


def test_create_tenant_prints_nothing_but_the_json_object():
    out = io.StringIO()
    call_command("create_tenant", *TENANT_ARGS, stdout=out)
    assert out.getvalue().count("\n") <= 1
    assert set(json.loads(out.getvalue())) == {"tenant_id", "initial_domain", "admin_upn"}


def test_create_tenant_refuses_a_taken_label():
    run("create_tenant", *TENANT_ARGS)
    with pytest.raises(CommandError, match="initial_domain: fabrikam.tenantadmin.example is already taken"):
        run("create_tenant", *TENANT_ARGS)
    assert Tenant.objects.count() == 1


@pytest.mark.parametrize("label", ["a", "fabrikam-", "fab_rikam", "admin", "xn--fab"])
def test_create_tenant_refuses_a_bad_label(label):
    args = [*TENANT_ARGS]
    args[args.index("fabrikam")] = label
    with pytest.raises(CommandError, match="initial_domain: "):
        run("create_tenant", *args)
    assert not Tenant.objects.exists()


def test_create_tenant_with_a_weak_password_lists_every_broken_rule_and_creates_nothing():
    args = [*TENANT_ARGS]
    args[args.index("Harbour#Light7")] = "jo jo"
    with pytest.raises(CommandError) as error:
        run("create_tenant", *args)

    message = str(error.value)
    for rule in ("Use 8 to 16 characters.", "Include an upper-case letter.", "Include a digit or a symbol.",
                 "Do not use spaces, tabs or line breaks.", "Do not include your user name."):
        assert rule in message
    # The organization is created before the password is checked; the transaction takes it back.
    assert not Tenant.objects.exists()
    assert not AuditEvent.objects.exists()


def test_create_tenant_refuses_an_alternate_address_inside_the_new_organization():
    args = [*TENANT_ARGS]
    args[args.index("jo@example.net")] = "jo@fabrikam.tenantadmin.example"
    with pytest.raises(CommandError, match="outside the new organization"):
        run("create_tenant", *args)


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--plan", "NOPE", "Unknown plan NOPE; choose one of: ENTERPRISEPACK, EXCHANGESTANDARD, LITEPACK, STANDARDPACK, or none"),
    ("--country", "XX", "country: Choose a country or region"),
    ("--language", "xx", "preferred_language: Choose a language from the list"),
])
def test_create_tenant_refuses_unknown_choices(option, value, message):
    with pytest.raises(CommandError, match=message):
        run("create_tenant", *TENANT_ARGS, option, value)
    assert not Tenant.objects.exists()


def test_create_tenant_works_with_exactly_the_documented_arguments(client):
    # The issue's form of the command, without --admin-email: the admin is asked for an
    # alternate address at first sign-in instead.
    args = TENANT_ARGS[:-2]
    assert "--admin-email" not in args
    result = run("create_tenant", *args)
    admin = User.objects.get(upn=result["admin_upn"])
    assert admin.alternate_email == "" and admin.is_global_admin
    client.force_login(admin, backend="users.backends.PrincipalNameBackend")
    assert 'id="missing-alternate-email"' in client.get("/admin/").content.decode()


@pytest.mark.parametrize("reference", ["id", "initial_domain", "initial_domain_upper"])
def test_create_app_registration_finds_the_tenant_and_issues_a_working_secret(org_a, reference):
    tenant = org_a.tenant
    value = {"id": str(tenant.pk), "initial_domain": tenant.initial_domain,
             "initial_domain_upper": tenant.initial_domain.upper()}[reference]

    result = run("create_app_registration", "--tenant", value, "--name", "HR sync",
                 "--permission", "User.Read.All", "--permission", "Group.Read.All")

    app = AppRegistration.objects.get(tenant=tenant, client_id=result["client_id"])
    assert str(app.pk) == result["app_id"] and result["tenant_id"] == str(tenant.pk)
    assert app.display_name == "HR sync"
    assert app.permissions == ["Group.Read.All", "User.Read.All"]
    secret = AppSecret.objects.get(app=app)
    assert secret_digest(result["client_secret"]) == secret.digest
    assert secret.expires_at.isoformat() == result["secret_expires"]
    assert (secret.expires_at - secret.created_at).days in range(359, 362)
    events = AuditEvent.objects.filter(tenant=tenant, action__startswith="app_")
    assert {(e.action, e.actor_type, e.actor_label) for e in events} == {
        ("app_registration.create", "system", "operator command"),
        ("app_secret.create", "system", "operator command"),
    }


def test_create_app_registration_finds_the_tenant_by_a_verified_custom_domain(org_a):
    Domain.objects.create(tenant=org_a.tenant, name="contoso.example", status=Domain.Status.VERIFIED,
                          verified_at=org_a.tenant.created_at)

    result = run("create_app_registration", "--tenant", "contoso.example", "--name", "Reporting")

    assert result["tenant_id"] == str(org_a.tenant.pk)


def test_create_app_registration_ignores_an_unverified_domain(org_a):
    Domain.objects.create(tenant=org_a.tenant, name="contoso.example")
    with pytest.raises(CommandError, match="No organization has the id or verified domain 'contoso.example'"):
        run("create_app_registration", "--tenant", "contoso.example", "--name", "Reporting")


def test_create_app_registration_with_an_unknown_tenant():
    with pytest.raises(CommandError, match="No organization"):
        run("create_app_registration", "--tenant", "nowhere.example", "--name", "Reporting")
    with pytest.raises(CommandError, match="No organization"):
        run("create_app_registration", "--tenant", "6fd2c87f-b296-42f0-b197-1e91e994b900", "--name", "Reporting")


def test_create_app_registration_with_an_unknown_permission_lists_the_valid_ones(org_a):
    with pytest.raises(CommandError) as error:
        run("create_app_registration", "--tenant", org_a.tenant.initial_domain, "--name", "Sync",
            "--permission", "User.Read.All", "--permission", "Mail.Send")

    message = str(error.value)
    assert "Unknown permission: Mail.Send" in message
    assert "Valid permissions: Application.ReadWrite.All, AuditLog.Read.All" in message
    assert not AppRegistration.objects.exists()

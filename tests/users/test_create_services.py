"""users.services for creating accounts: the atomic create, the user-name rule across domains, roles and licenses."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from billing.models import Sku, Subscription
from domains.models import Domain
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tenantadmin.roles import Role
from users.licenses import license_units
from users.models import LicenseAssignment, ProxyAddress, RoleAssignment, User
from users.services import user_create

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")


def add_domain(tenant, name="contoso.com"):
    return Domain.objects.create(tenant=tenant, name=name, status=Domain.Status.VERIFIED, verified_at=timezone.now())


def create(tenant, alias, domain=None, actor=SYSTEM, **kwargs):
    kwargs.setdefault("display_name", alias.title())
    return user_create(tenant=tenant, actor=actor, alias=alias, domain=domain or tenant.initial_domain, **kwargs)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def test_new_user_gets_a_temporary_password_and_the_user_name_as_primary_address(org_a):
    user, password = create(org_a.tenant, "geoff", job_title="Engineer", usage_location="NL")
    assert user.must_change_password and user.check_password(password)
    assert [str(proxy) for proxy in user.proxy_addresses.all()] == [f"SMTP:geoff@{org_a.tenant.initial_domain}"]
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="user.create", target_id=str(user.pk)).exists()


def test_initial_domain_first_then_custom_domain_is_allowed(org_a):
    add_domain(org_a.tenant)
    first, _ = create(org_a.tenant, "geoff")
    second, _ = create(org_a.tenant, "geoff", "contoso.com")
    assert second.upn == "geoff@contoso.com"
    # The routing address on the initial domain belongs to the first account, so the second gets none.
    assert list(second.proxy_addresses.values_list("address", flat=True)) == ["geoff@contoso.com"]


def test_custom_domain_first_then_initial_domain_is_refused(org_a):
    add_domain(org_a.tenant)
    first, _ = create(org_a.tenant, "geoff", "contoso.com")
    assert set(first.proxy_addresses.values_list("address", flat=True)) == {
        "geoff@contoso.com", f"geoff@{org_a.tenant.initial_domain}"}
    with pytest.raises(ValidationError) as excinfo:
        create(org_a.tenant, "geoff")
    assert "already an e-mail address of Geoff (geoff@contoso.com)" in errors_of(excinfo)["alias"][0]
    assert User.objects.filter(tenant=org_a.tenant, upn__startswith="geoff@").count() == 1


def test_duplicate_user_name_in_any_case_is_refused(org_a):
    create(org_a.tenant, "geoff")
    with pytest.raises(ValidationError) as excinfo:
        create(org_a.tenant, "GEOFF")
    assert errors_of(excinfo)["alias"] == [f"geoff@{org_a.tenant.initial_domain} is already used by another account."]


def test_another_organizations_account_is_not_named(org_a, org_b):
    add_domain(org_b.tenant, "fabrikam.com")
    create(org_b.tenant, "geoff", "fabrikam.com")
    Domain.objects.filter(name="fabrikam.com").update(verified_at=None)
    add_domain(org_a.tenant, "fabrikam.com")
    with pytest.raises(ValidationError) as excinfo:
        create(org_a.tenant, "geoff", "fabrikam.com")
    assert errors_of(excinfo)["alias"] == ["geoff@fabrikam.com is already used by another account."]


def test_unverified_domain_and_bad_alias_and_lengths_are_field_errors(org_a):
    Domain.objects.create(tenant=org_a.tenant, name="unverified.com")
    with pytest.raises(ValidationError) as excinfo:
        create(org_a.tenant, "geoff", "unverified.com")
    assert "domain" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        create(org_a.tenant, ".geoff")
    assert "alias" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        create(org_a.tenant, "geoff", job_title="x" * 65, postal_code="1" * 41)
    assert set(errors_of(excinfo)) == {"job_title", "postal_code"}
    assert not User.objects.filter(upn__startswith="geoff@").exists()


def test_roles_need_an_alternate_address_and_a_global_admin(org_a):
    with pytest.raises(ValidationError) as excinfo:
        create(org_a.tenant, "boss", roles=[Role.USER_ADMIN])
    assert "alternate_email" in errors_of(excinfo)
    with pytest.raises(PermissionDenied):
        create(org_a.tenant, "boss", actor=Actor.for_user(org_a.user_admin), roles=[Role.BILLING_ADMIN],
               alternate_email="boss@example.net")
    assert not User.objects.filter(upn__startswith="boss@").exists()
    user, _ = create(org_a.tenant, "boss", actor=Actor.for_user(org_a.global_admin), roles=[Role.BILLING_ADMIN],
                     alternate_email="boss@example.net")
    assert set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == {Role.BILLING_ADMIN}


def test_licenses_are_assigned_in_the_same_transaction(org_a):
    sku = Sku.objects.get(part_number="ENTERPRISEPACK")
    user, _ = create(org_a.tenant, "lic", usage_location="NL", licenses=[sku])
    assert LicenseAssignment.objects.filter(user=user, sku=sku).exists()


def test_no_free_license_creates_nothing(org_a):
    sku = Sku.objects.get(part_number="ENTERPRISEPACK")
    unit = next(u for u in license_units(tenant=org_a.tenant) if u.sku == sku)
    Subscription.objects.filter(tenant=org_a.tenant, sku=sku).update(quantity=unit.assigned)
    with pytest.raises(ValidationError) as excinfo:
        create(org_a.tenant, "lic", usage_location="NL", licenses=[sku])
    assert "no free" in errors_of(excinfo)["licenses"][0]
    assert not User.objects.filter(upn__startswith="lic@").exists()
    assert not ProxyAddress.objects.filter(address__startswith="lic@").exists()


def test_license_needs_a_location(org_a):
    sku = Sku.objects.get(part_number="ENTERPRISEPACK")
    with pytest.raises(ValidationError) as excinfo:
        create(org_a.tenant, "lic", licenses=[sku])
    assert "usage_location" in errors_of(excinfo)


def test_results_go_to_at_most_five_addresses(org_a, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError) as excinfo:
        create(org_a.tenant, "mailme", notify=[f"a{n}@example.net" for n in range(6)])
    assert "notify" in errors_of(excinfo)
    with django_capture_on_commit_callbacks(execute=True):
        user, password = create(org_a.tenant, "mailme", notify=["one@example.net", "two@example.net"])
    sent = [m for m in mail.outbox if user.upn in m.subject]
    assert sorted(m.to[0] for m in sent) == ["one@example.net", "two@example.net"]
    assert password in sent[0].body

"""Soft delete (SPEC users/ "Delete and restore"): licenses freed, addresses released, roles removed, sign-in
ended at once, the delete rules, and the audit event that remembers what the account held."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tenantadmin.roles import Role
from tests.factories import make_user
from tests.users.lifecycle_helpers import ADMIN, licensed_user, plan_with_units
from users.licenses import license_units
from users.lifecycle_services import held_at_deletion, user_delete, users_delete
from users.models import LicenseAssignment, ProxyAddress, RoleAssignment, User

pytestmark = pytest.mark.django_db


def units_of(tenant, sku):
    return next(u for u in license_units(tenant=tenant) if u.sku.pk == sku.pk)


def test_delete_frees_licenses_releases_addresses_and_is_audited(org_a):
    sku = plan_with_units(org_a.tenant, 2)
    person = licensed_user(org_a.tenant, sku, "leaver")
    assert units_of(org_a.tenant, sku).free == 1

    user_delete(user=person, actor=Actor.for_user(org_a.global_admin))

    person.refresh_from_db()
    assert person.deleted_at is not None
    assert not LicenseAssignment.objects.filter(user=person).exists()
    assert units_of(org_a.tenant, sku).free == 2
    assert ProxyAddress.objects.filter(user=person).exists()
    assert not ProxyAddress.objects.filter(user=person, is_live=True).exists()
    event = AuditEvent.objects.get(action="user.delete", target_id=str(person.pk))
    assert event.actor_id == org_a.global_admin.pk
    assert held_at_deletion(person) == [(str(sku.pk), [])]


def test_delete_removes_roles_for_good(org_a):
    admin = org_a.user_admin
    user_delete(user=admin, actor=Actor.for_user(org_a.global_admin))
    assert not RoleAssignment.objects.filter(user=admin).exists()
    event = AuditEvent.objects.get(action="user.delete", target_id=str(admin.pk))
    assert event.changes["roles"] == [[Role.USER_ADMIN], []]


def test_sign_in_ends_at_once(org_a, client_for, password):
    person = make_user(org_a.tenant, "signedin")
    client = client_for(person)
    assert client.get(reverse("users:profile")).status_code == 200
    user_delete(user=person, actor=Actor.for_user(org_a.global_admin))
    response = client.get(reverse("users:profile"))
    assert response.status_code == 302 and "signin" in response["Location"]
    person.refresh_from_db()
    assert not person.has_usable_password()
    assert not person.check_password(password)


def test_nobody_deletes_themselves(org_a):
    with pytest.raises(ValidationError, match="your own account"):
        user_delete(user=org_a.global_admin, actor=Actor.for_user(org_a.global_admin))
    assert User.objects.get(pk=org_a.global_admin.pk).deleted_at is None


def test_user_management_admin_cannot_delete_an_admin(org_a):
    with pytest.raises(ValidationError, match="only a global administrator"):
        user_delete(user=org_a.billing_admin, actor=Actor.for_user(org_a.user_admin))
    assert User.objects.get(pk=org_a.billing_admin.pk).deleted_at is None
    assert RoleAssignment.objects.filter(user=org_a.billing_admin).exists()


def test_user_management_admin_deletes_a_plain_user(org_a):
    user_delete(user=org_a.user, actor=Actor.for_user(org_a.user_admin))
    assert User.objects.get(pk=org_a.user.pk).deleted_at is not None


def test_the_last_global_admin_cannot_be_deleted(org_a):
    with pytest.raises(ValidationError, match="last global administrator"):
        user_delete(user=org_a.global_admin, actor=ADMIN)
    assert User.objects.get(pk=org_a.global_admin.pk).deleted_at is None


def test_a_global_admin_may_delete_another_global_admin(org_a):
    second = make_user(org_a.tenant, "second", roles=[Role.GLOBAL_ADMIN])
    user_delete(user=second, actor=Actor.for_user(org_a.global_admin))
    assert User.objects.get(pk=second.pk).deleted_at is not None


def test_deleting_twice_is_refused(org_a):
    user_delete(user=org_a.user, actor=ADMIN)
    with pytest.raises(ValidationError, match="already deleted"):
        user_delete(user=org_a.user, actor=ADMIN)


def test_bulk_delete_deletes_what_it_may_and_reports_the_rest(org_a, org_b):
    plain = make_user(org_a.tenant, "plain2")
    deleted, refused = users_delete(tenant=org_a.tenant, actor=Actor.for_user(org_a.user_admin),
                                    user_ids=[plain.pk, org_a.user.pk, org_a.billing_admin.pk, org_a.user_admin.pk,
                                              org_b.user.pk])
    assert {u.pk for u in deleted} == {plain.pk, org_a.user.pk}
    assert {u.pk for u, _reason in refused} == {org_a.billing_admin.pk, org_a.user_admin.pk}
    assert User.objects.get(pk=org_b.user.pk).deleted_at is None

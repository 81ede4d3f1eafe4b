"""Restore (SPEC users/ "Delete and restore"): licenses back when free, both conflict flows, a new password,
all or nothing."""

import pytest
from django.core.exceptions import ValidationError

from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.factories import PASSWORD, make_user
from tests.users.lifecycle_helpers import licensed_user, plan_with_units
from users.licenses import NoFreeLicenses
from users.lifecycle_services import RestoreConflict, restore_plan, user_delete, user_restore
from users.models import LicenseAssignment, ProxyAddress, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(org_a):
    return Actor.for_user(org_a.global_admin)


def test_restore_gives_back_the_licenses_and_a_temporary_password(org_a, actor):
    sku = plan_with_units(org_a.tenant, 1)
    person = licensed_user(org_a.tenant, sku, "back")
    user_delete(user=person, actor=actor)

    restored, password = user_restore(user=person, actor=actor)

    assert restored.deleted_at is None
    assert list(LicenseAssignment.objects.filter(user=person).values_list("sku_id", flat=True)) == [sku.pk]
    assert password and restored.check_password(password) and not restored.check_password(PASSWORD)
    assert restored.must_change_password
    assert ProxyAddress.objects.filter(user=person, is_live=False).count() == 0
    assert AuditEvent.objects.filter(action="user.restore", target_id=str(person.pk)).exists()


def test_restore_needs_free_licenses_and_changes_nothing_without(org_a, actor):
    sku = plan_with_units(org_a.tenant, 1)
    person = licensed_user(org_a.tenant, sku, "waiting")
    user_delete(user=person, actor=actor)
    licensed_user(org_a.tenant, sku, "tookit")  # the freed unit is taken meanwhile

    assert [held.free for held in restore_plan(user=person).held] == [0]
    with pytest.raises(NoFreeLicenses):
        user_restore(user=person, actor=actor)
    assert User.objects.get(pk=person.pk).deleted_at is not None

    restored, _password = user_restore(user=person, actor=actor, licenses=[])
    assert restored.deleted_at is None and not restored.licenses.exists()


def test_user_name_conflict_is_reported(org_a, actor):
    person = make_user(org_a.tenant, "geoff")
    user_delete(user=person, actor=actor)
    newcomer = make_user(org_a.tenant, "geoff")
    plan = restore_plan(user=person)
    assert plan.upn_taken_by == newcomer and plan.proxy_conflicts == []
    with pytest.raises(RestoreConflict) as caught:
        user_restore(user=person, actor=actor)
    assert caught.value.code == "upn_conflict"
    assert User.objects.get(pk=person.pk).deleted_at is not None


def test_user_name_conflict_restores_with_a_new_name(org_a, actor):
    person = make_user(org_a.tenant, "geoff")
    user_delete(user=person, actor=actor)
    newcomer = make_user(org_a.tenant, "geoff")

    restored, _password = user_restore(user=person, actor=actor, new_alias="geoff.old")

    assert restored.upn == f"geoff.old@{org_a.tenant.initial_domain}"
    assert User.objects.get(pk=newcomer.pk).deleted_at is None
    primary = ProxyAddress.objects.get(user=restored, is_primary=True)
    assert primary.address == restored.upn
    assert not ProxyAddress.objects.filter(user=restored, address__iexact=newcomer.upn).exists()


def test_new_name_must_be_free(org_a, actor):
    person = make_user(org_a.tenant, "geoff")
    user_delete(user=person, actor=actor)
    make_user(org_a.tenant, "geoff")
    with pytest.raises(ValidationError) as caught:
        user_restore(user=person, actor=actor, new_alias="plain")
    assert "alias" in caught.value.message_dict
    assert User.objects.get(pk=person.pk).deleted_at is not None


def test_user_name_conflict_replaces_the_live_account(org_a, actor):
    sku = plan_with_units(org_a.tenant, 1)
    person = make_user(org_a.tenant, "geoff", usage_location="NL")
    user_delete(user=person, actor=actor)
    newcomer = licensed_user(org_a.tenant, sku, "geoff")

    restored, _password = user_restore(user=person, actor=actor, replace_live=True, licenses=[sku])

    assert restored.upn == newcomer.upn and restored.deleted_at is None
    assert User.objects.get(pk=newcomer.pk).deleted_at is not None
    assert restored.licenses.get().sku == sku  # the replaced account's unit was freed for it


def test_replacing_follows_the_delete_rules(org_a):
    person = make_user(org_a.tenant, "boss")
    user_delete(user=person, actor=Actor.for_user(org_a.global_admin))
    taker = make_user(org_a.tenant, "boss", roles=["billing_admin"])
    with pytest.raises(ValidationError, match="only a global administrator"):
        user_restore(user=person, actor=Actor.for_user(org_a.user_admin), replace_live=True)
    assert User.objects.get(pk=taker.pk).deleted_at is None
    assert User.objects.get(pk=person.pk).deleted_at is not None


def test_proxy_address_conflict_drops_the_taken_addresses(org_a, actor):
    person = make_user(org_a.tenant, "ann")
    ProxyAddress.objects.create(tenant=org_a.tenant, user=person, address=f"sales@{org_a.tenant.initial_domain}")
    user_delete(user=person, actor=actor)
    other = make_user(org_a.tenant, "bob")
    ProxyAddress.objects.create(tenant=org_a.tenant, user=other, address=f"Sales@{org_a.tenant.initial_domain}")

    assert restore_plan(user=person).proxy_conflicts == [f"sales@{org_a.tenant.initial_domain}"]
    with pytest.raises(RestoreConflict) as caught:
        user_restore(user=person, actor=actor)
    assert caught.value.code == "proxy_conflict" and caught.value.addresses == [f"sales@{org_a.tenant.initial_domain}"]

    restored, _password = user_restore(user=person, actor=actor, drop_proxy_conflicts=True)
    addresses = set(ProxyAddress.objects.filter(user=restored).values_list("address", flat=True))
    assert f"sales@{org_a.tenant.initial_domain}" not in addresses and restored.upn in addresses
    event = AuditEvent.objects.get(action="user.restore", target_id=str(person.pk))
    assert event.changes["proxy_addresses_dropped"] == [[f"sales@{org_a.tenant.initial_domain}"], None]


def test_restoring_a_live_user_is_refused(org_a, actor):
    with pytest.raises(ValidationError, match="not deleted"):
        user_restore(user=org_a.user, actor=actor)


def test_restore_without_temporary_password_keeps_the_account_unusable(org_a, actor):
    person = make_user(org_a.tenant, "apiuser")
    user_delete(user=person, actor=actor)
    restored, password = user_restore(user=person, actor=actor, temporary_password=False)
    assert password is None and not restored.has_usable_password() and not restored.must_change_password

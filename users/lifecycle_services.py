"""Deleting, restoring and purging user accounts (SPEC users/ "Delete and restore").

Choices made here, because the SPEC is silent on them:
- Deleting ends the person's sign-in at once: the account leaves sign-in and token checks (they only
  accept live accounts), and its password is made unusable, so a browser session (whose check hashes
  the password) and a token (tied to the password's change time) cannot come back after a restore.
- Roles are removed on deletion and never come back with a restore, as in Microsoft Entra ID: a restored
  account is a plain user until a global administrator gives roles again. What was held is in the audit.
- Licenses are freed on deletion; the `user.delete` audit event keeps which plans (and switched-off
  services) were held, so a restore can offer them again while units are free.
- Proxy addresses stop being "live" with their owner, so others may take them meanwhile; group
  memberships stay and come back with the account.
"""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.db.models.deletion import ProtectedError
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Sku
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tenantadmin.roles import Role
from tenantadmin.services.audit import audit_record
from users.licenses import license_units, licenses_change, licenses_release
from users.models import LicenseAssignment, ProxyAddress, RoleAssignment, User
from users.passwords import generate_temporary_password
from users.selectors import PURGE_AFTER
from users.services import build_upn
from users.services.proxies import address_owner, proxies_follow_upn

logger = logging.getLogger(__name__)

# One purge run removes at most this many accounts per organization; the next run takes the rest.
PURGE_BATCH = 500


class RestoreConflict(ValidationError):
    """A restore cannot go ahead as asked: `code` is "upn_conflict" or "proxy_conflict"."""

    def __init__(self, message: str, code: str, *, addresses=()):
        self.addresses = list(addresses)
        super().__init__(message, code=code)


# ------------------------------------------------------------------------------------------------ delete

def delete_refusal(*, actor: Actor, user: User) -> str | None:
    """Why `actor` may not delete `user` (None: they may). SPEC role table: only a global administrator
    touches an administrator's account; nobody deletes themselves (it would end the session doing it)."""
    if user.deleted_at is not None:
        return _("%(upn)s is already deleted.") % {"upn": user.upn}
    if actor.user is not None and actor.user.pk == user.pk:
        return _("You cannot delete your own account.")
    if user.is_admin:
        if actor.app is not None:
            return _("%(upn)s is an administrator: only a global administrator can delete an administrator, "
                     "in the admin center.") % {"upn": user.upn}
        if actor.user is not None and not actor.user.is_global_admin:
            return _("%(upn)s is an administrator: only a global administrator can delete an "
                     "administrator.") % {"upn": user.upn}
    return None


def _is_last_global_admin(user: User) -> bool:
    # The global administrators' role rows are locked, so two admins deleting each other at the same time
    # run one after the other and the second sees the first's deletion.
    holders = list(RoleAssignment.objects.select_for_update(of=("self",))
                   .filter(tenant_id=user.tenant_id, role=Role.GLOBAL_ADMIN, user__deleted_at__isnull=True)
                   .values_list("user_id", flat=True))
    return user.pk in holders and len(holders) == 1


@transaction.atomic
def user_delete(*, user: User, actor: Actor, now=None) -> User:
    """Soft-delete `user`: licenses freed, roles removed, addresses released, sign-in ended; restorable for
    30 days. Raises ValidationError (nothing changes) when the rules forbid it."""
    now = now or timezone.now()
    user = User.objects.select_for_update().select_related("tenant").get(pk=user.pk, tenant_id=user.tenant_id)
    refusal = delete_refusal(actor=actor, user=user)
    if refusal:
        raise ValidationError(refusal, code="delete_refused")
    if Role.GLOBAL_ADMIN in user.role_codes and _is_last_global_admin(user):
        raise ValidationError(_("%(upn)s is the organization's last global administrator: make someone else a "
                                "global administrator first.") % {"upn": user.upn}, code="last_global_admin")
    held = [{"skuId": str(a.sku_id), "disabledPlans": list(a.disabled_plans), "name": a.sku.name}
            for a in LicenseAssignment.objects.filter(user=user).select_related("sku").order_by("sku__name")]
    licenses_release(user=user, actor=actor)
    roles = sorted(user.role_codes)
    RoleAssignment.objects.filter(user=user).delete()
    user.__dict__.pop("role_codes", None)
    ProxyAddress.objects.filter(user=user).update(is_live=False)
    user.deleted_at = now
    user.set_unusable_password()
    user.save(update_fields=["deleted_at", "password"])
    audit_record(tenant=user.tenant, actor=actor, action="user.delete", target=user,
                 changes={"deleted_at": [None, now.isoformat()], "licenses": [held, []], "roles": [roles, []]})
    return user


def users_delete(*, tenant, actor: Actor, user_ids, now=None) -> tuple[list[User], list[tuple[User, str]]]:
    """Delete several users of `tenant`, each on its own (one refusal does not stop the others).
    Returns (deleted users, [(user, reason)] refused)."""
    deleted, refused = [], []
    for user in User.objects.filter(tenant=tenant, pk__in=list(user_ids), deleted_at__isnull=True).order_by(
            "display_name", "pk"):
        try:
            deleted.append(user_delete(user=user, actor=actor, now=now))
        except ValidationError as error:
            refused.append((user, " ".join(error.messages)))
    return deleted, refused


# ----------------------------------------------------------------------------------------------- restore

@dataclass
class HeldLicense:
    sku: Sku
    disabled_plans: list
    free: int


@dataclass
class RestorePlan:
    """What restoring `user` runs into: the live account holding the name, addresses others use now,
    and the licenses held at deletion with the units free for them."""

    user: User
    upn_taken_by: User | None
    proxy_conflicts: list[str]
    held: list[HeldLicense] = field(default_factory=list)

    @property
    def upn_taken_elsewhere(self) -> bool:
        return self.upn_taken_by is not None and self.upn_taken_by.tenant_id != self.user.tenant_id

    @property
    def licenses_short(self) -> list[HeldLicense]:
        return [held for held in self.held if held.free < 1]


def held_at_deletion(user: User) -> list[tuple[str, list]]:
    """[(skuId, disabledPlans)] the account held when it was last deleted (from its audit event)."""
    event = (AuditEvent.objects.filter(tenant_id=user.tenant_id, action="user.delete", target_id=str(user.pk))
             .order_by("-occurred_at", "-id").only("changes").first())
    if event is None:
        return []
    before = (event.changes.get("licenses") or [[]])[0] or []
    return [(item["skuId"], item.get("disabledPlans") or []) for item in before if item.get("skuId")]


def _live_holder(upn: str) -> User | None:
    return User.objects.alias(upn_lower=Lower("upn")).filter(upn_lower=upn.lower(), deleted_at__isnull=True).first()


def proxy_conflicts(user: User, *, skip=()) -> list[str]:
    """The addresses of deleted `user` that a live account uses now, as an address or as its user name;
    addresses in `skip` are left out (the old user name, which the name conflict covers)."""
    taken_address = ProxyAddress.objects.alias(address_lower=Lower("address")).filter(
        is_live=True, address_lower=Lower(OuterRef("address"))).exclude(user_id=user.pk)
    taken_name = User.objects.alias(upn_lower=Lower("upn")).filter(
        deleted_at__isnull=True, upn_lower=Lower(OuterRef("address"))).exclude(pk=user.pk)
    skip = {address.lower() for address in skip}
    return [address for address in ProxyAddress.objects.filter(user=user).filter(
        Exists(taken_address) | Exists(taken_name)).order_by("address").values_list("address", flat=True)
        if address.lower() not in skip]


def restore_plan(*, user: User) -> RestorePlan:
    """Look before restoring: a fixed number of queries whatever the account holds."""
    held = held_at_deletion(user)
    holder = _live_holder(user.upn)
    units = {str(u.sku.pk): u for u in license_units(tenant=user.tenant)} if held else {}
    skus = {str(s.pk): s for s in Sku.objects.filter(pk__in=[sku_id for sku_id, _off in held])}
    return RestorePlan(
        user=user, upn_taken_by=holder, proxy_conflicts=proxy_conflicts(user, skip=[user.upn] if holder else []),
        held=[HeldLicense(sku=skus[sku_id], disabled_plans=off, free=units[sku_id].free if sku_id in units else 0)
              for sku_id, off in held if sku_id in skus],
    )


def _new_upn(user: User, alias: str, domain: str) -> str:
    upn = build_upn(alias, domain)
    if not user.tenant.domains.filter(name=upn.partition("@")[2], verified_at__isnull=False).exists():
        raise ValidationError({"domain": [_("Choose one of your organization's verified domains.")]})
    if address_owner(upn, exclude=user) is not None:
        raise ValidationError({"alias": [_("%(upn)s is already used by another account.") % {"upn": upn}]})
    return upn


@transaction.atomic
def user_restore(*, user: User, actor: Actor, new_alias: str = "", new_domain: str = "", replace_live: bool = False,
                 drop_proxy_conflicts: bool = False, licenses: list[Sku] | None = None,
                 temporary_password: bool = True, now=None) -> tuple[User, str | None]:
    """Bring a deleted account back; all or nothing. Returns (user, temporary password or None).

    Conflicts (SPEC): a live account took the user name → give `new_alias`/`new_domain`, or `replace_live`
    (that account is deleted instead, under the delete rules); addresses now used elsewhere →
    `drop_proxy_conflicts`. Otherwise RestoreConflict. `licenses` None means the plans held at deletion,
    every one of which needs a free unit (NoFreeLicenses otherwise); a list means just those plans.
    With `temporary_password` a new password to change at next sign-in is made; without it (the Graph
    API) the password stays unusable until an administrator resets it.
    """
    now = now or timezone.now()
    user = User.objects.select_for_update().select_related("tenant").get(pk=user.pk, tenant_id=user.tenant_id)
    if user.deleted_at is None:
        raise ValidationError(_("%(upn)s is not deleted.") % {"upn": user.upn}, code="not_deleted")
    old_upn, changes, replaced = user.upn, {"deleted_at": [user.deleted_at.isoformat(), None]}, None
    if new_alias or new_domain:
        user.upn = _new_upn(user, new_alias or user.alias, new_domain or user.domain)
        changes["upn"] = [old_upn, user.upn]
    else:
        holder = _live_holder(user.upn)
        if holder is not None:
            if not replace_live:
                raise RestoreConflict(_("The user name %(upn)s is now used by another account: restore with a new "
                                        "user name, or replace that account.") % {"upn": user.upn}, "upn_conflict")
            if holder.tenant_id != user.tenant_id:
                raise ValidationError(_("The user name %(upn)s is used outside your organization; restore with a "
                                        "new user name.") % {"upn": user.upn}, code="upn_elsewhere")
            replaced = user_delete(user=holder, actor=actor, now=now)
            changes["replaced"] = [None, replaced.upn]
    # A renamed account cannot keep its old user name as an address: the account that took the name has it.
    renamed_from = [old_upn] if "upn" in changes else []
    conflicts = proxy_conflicts(user, skip=renamed_from)
    dropped = [address for address in proxy_conflicts(user) if address.lower() == old_upn.lower()] if renamed_from else []
    if conflicts:
        if not drop_proxy_conflicts:
            raise RestoreConflict(_("These e-mail addresses are now used by other accounts: %(addresses)s. Restore "
                                    "without them.") % {"addresses": ", ".join(conflicts)}, "proxy_conflict",
                                  addresses=conflicts)
        dropped += conflicts
    if dropped:
        ProxyAddress.objects.alias(address_lower=Lower("address")).filter(
            user=user, address_lower__in=[a.lower() for a in dropped]).delete()
        changes["proxy_addresses_dropped"] = [dropped, None]
    password = None
    if temporary_password:
        password = generate_temporary_password()
        user.set_password(password)
    # A new password version: a token issued before the deletion cannot come back to life.
    user.must_change_password = temporary_password
    user.password_changed_at = now
    user.deleted_at = None
    try:
        with transaction.atomic():
            user.save(update_fields=["upn", "deleted_at", "password", "must_change_password", "password_changed_at"])
            ProxyAddress.objects.filter(user=user).update(is_live=True)
            if renamed_from:
                proxies_follow_upn(user, old_upn)
    except IntegrityError:
        # Another request took the name or an address between the checks above and now.
        raise RestoreConflict(_("The user name or an e-mail address of %(upn)s was just taken by another account; "
                                "try again.") % {"upn": user.upn}, "upn_conflict") from None
    held = dict(held_at_deletion(user))
    if licenses is None:
        licenses = list(Sku.objects.filter(pk__in=list(held)).order_by("name"))
    if licenses:
        licenses_change(user=user, actor=actor, add=licenses,
                        disabled_plans={sku.pk: held[str(sku.pk)] for sku in licenses if str(sku.pk) in held})
    changes["licenses"] = [None, [sku.part_number for sku in licenses]]
    audit_record(tenant=user.tenant, actor=actor, action="user.restore", target=user, changes=changes)
    return user, password


def users_restore_start(*, tenant, actor: Actor, user_ids):
    """Restore several deleted users as a Job; those that need a choice are listed in its log."""
    from tenantadmin.services.jobs import job_start
    from users.tasks import restore_users

    ids = [str(pk) for pk in User.objects.filter(tenant=tenant, pk__in=list(user_ids), deleted_at__isnull=False)
           .order_by("display_name", "pk").values_list("pk", flat=True)]
    if not ids:
        raise ValidationError(_("Select deleted users first."), code="nothing_selected")
    return job_start(tenant=tenant, actor=actor, kind="users.restore", task=restore_users, params={"user_ids": ids},
                     title=_("Restore %(count)d users") % {"count": len(ids)})


# ------------------------------------------------------------------------------------------------- purge

def _purge_one(user_id, *, tenant, actor: Actor, cutoff=None) -> bool:
    """Remove one deleted account for good. The conditional delete is the claim: when two runs race, only
    the one whose DELETE removed the row writes the audit event."""
    with transaction.atomic():
        due = User.objects.filter(pk=user_id, tenant=tenant, deleted_at__isnull=False)
        if cutoff is not None:
            due = due.filter(deleted_at__lt=cutoff)
        user = due.first()
        if user is None:
            return False
        try:
            _total, per_model = due.delete()
        except ProtectedError:
            # A row of another app still points at the account; it stays deleted and is retried next run.
            logger.warning("deleted user %s could not be purged: other rows protect it", user_id)
            return False
        if not per_model.get(User._meta.label):
            return False
        audit_record(tenant=tenant, actor=actor, action="user.purge", target=user,
                     changes={"deleted_at": [user.deleted_at.isoformat(), None]})
        return True


def user_purge(*, user: User, actor: Actor) -> bool:
    """Remove a deleted account for good now (Graph's permanent delete); False when it is not deleted."""
    return _purge_one(user.pk, tenant=user.tenant, actor=actor)


def purge_due(*, now=None):
    """Deleted accounts whose 30 days are over (the operator's count and the purge task's work list)."""
    now = now or timezone.now()
    return User.objects.filter(deleted_at__lt=now - PURGE_AFTER, tenant__isnull=False)


def users_purge(*, tenant, now=None) -> int:
    """Purge one organization's accounts deleted more than 30 days before `now`; safe to run twice."""
    now = now or timezone.now()
    cutoff = now - PURGE_AFTER
    actor = Actor.system("purge of deleted users")
    ids = list(User.objects.filter(tenant=tenant, deleted_at__lt=cutoff).order_by("deleted_at", "pk")
               .values_list("pk", flat=True)[:PURGE_BATCH])
    return sum(_purge_one(pk, tenant=tenant, actor=actor, cutoff=cutoff) for pk in ids)

"""Administrator roles held by users, and who may change whom (SPEC tenantadmin/ "Roles").

- Only a global administrator gives or takes roles.
- A user management administrator changes people without a role only: "cannot touch admins' accounts or roles".
- An administrator needs an alternate e-mail address (used by administrator self-service password reset).
- Nobody removes the last global administrator: the organization would have no one left to manage it.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tenantadmin.actors import Actor
from tenantadmin.roles import Perm, Role
from tenantadmin.services.audit import audit_record
from users.models import RoleAssignment, User


def can_manage(actor: Actor, user: User) -> bool:
    """Whether `actor` may change `user`'s account. Programs are checked by the API against their
    application permissions; the system (operator tooling, sign-up) may do anything."""
    if actor.user is None:
        return actor.app is None or actor.app.tenant_id == user.tenant_id
    admin = actor.user
    if actor.tenant_id != user.tenant_id:  # a partner's person acts in the customer (tenantadmin.actors)
        return False
    if admin.is_global_admin:
        return True
    return Perm.USERS_WRITE in admin.admin_perms and not user.is_admin


def require_manage(actor: Actor, user: User) -> None:
    if not can_manage(actor, user):
        raise PermissionDenied(_("Only a global administrator can change an administrator's account."))


def can_assign_roles(actor: Actor) -> bool:
    return actor.user is None or Perm.ROLES_ASSIGN in actor.user.admin_perms


def _require_role_right(actor: Actor) -> None:
    if not can_assign_roles(actor):
        raise PermissionDenied(_("Only a global administrator can give or take administrator roles."))


def _forget_roles(user: User) -> None:
    user.__dict__.pop("role_codes", None)


@transaction.atomic
def role_assign(*, user: User, role: str, actor: Actor, require_contact: bool = True) -> RoleAssignment:
    """Give `user` an administrator role (idempotent). `require_contact=False` only for the first administrator an
    operator provisions without an alternate address."""
    _require_role_right(actor)
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role.")]}, code="unknown_role")
    if user.deleted_at is not None:
        raise ValidationError({"role": [_("A deleted user cannot hold a role.")]}, code="deleted")
    if require_contact and not user.alternate_email:
        raise ValidationError({"alternate_email": [
            _("Administrators need an alternate e-mail address outside the organization: enter one first.")]},
            code="alternate_email_required")
    assignment, created = RoleAssignment.objects.get_or_create(tenant_id=user.tenant_id, user=user, role=role)
    if created:
        audit_record(tenant=user.tenant, actor=actor, action="role.assign", target=user,
                     changes={"role": [None, role]})
        _forget_roles(user)
    return assignment


@transaction.atomic
def role_remove(*, user: User, role: str, actor: Actor) -> bool:
    """Take a role from `user`; False when they did not hold it."""
    _require_role_right(actor)
    if role == Role.GLOBAL_ADMIN:
        # Lock every global administrator's assignment so two admins removing each other at once cannot both win.
        holders = list(RoleAssignment.objects.select_for_update().filter(
            tenant_id=user.tenant_id, role=Role.GLOBAL_ADMIN, user__deleted_at__isnull=True).values_list("user_id", flat=True))
        if holders == [user.pk]:
            raise ValidationError({"role": [_("%(upn)s is the last global administrator; make someone else a global "
                                              "administrator first.") % {"upn": user.upn}]}, code="last_global_admin")
    deleted, _details = RoleAssignment.objects.filter(tenant_id=user.tenant_id, user=user, role=role).delete()
    if deleted:
        audit_record(tenant=user.tenant, actor=actor, action="role.remove", target=user, changes={"role": [role, None]})
        _forget_roles(user)
    return bool(deleted)


@transaction.atomic
def roles_set(*, user: User, roles, actor: Actor) -> None:
    """Make `user` hold exactly `roles` (the portal's Settings tab); additions first, so replacing the role of the
    only global administrator by another role is refused before anything changes."""
    wanted = set(roles)
    held = set(user.role_codes)
    if wanted == held:
        return
    for role in sorted(wanted - held):
        role_assign(user=user, role=role, actor=actor)
    for role in sorted(held - wanted):
        role_remove(user=user, role=role, actor=actor)

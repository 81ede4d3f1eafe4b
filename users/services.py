"""Writes for users. The full user management (views, bulk import, restore, licenses) comes with
the users issue; these are the pieces sign-up and the operator commands need."""

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenantadmin.actors import Actor
from tenantadmin.roles import Role
from tenantadmin.services.audit import audit_record
from users.models import ALIAS_MAX_LENGTH, DOMAIN_MAX_LENGTH, UPN_MAX_LENGTH, RoleAssignment, User
from users.passwords import generate_temporary_password

# Letters, digits and . - _ ' ; no dot at either end (the rules of the seed's user name field).
_ALIAS = re.compile(r"^[A-Za-z0-9_'](?:[A-Za-z0-9._'-]*[A-Za-z0-9_'-])?$")


def alias_errors(alias: str) -> list[str]:
    if not alias:
        return [_("Enter a user name.")]
    if len(alias) > ALIAS_MAX_LENGTH:
        return [_("The user name can have at most %(max)d characters.") % {"max": ALIAS_MAX_LENGTH}]
    if not _ALIAS.match(alias) or ".." in alias:
        return [_("Use letters, digits, dots, hyphens, underscores and apostrophes; no dot at the start or end.")]
    return []


def build_upn(alias: str, domain: str) -> str:
    """alias@domain in lower case, checked against the SPEC lengths."""
    alias, domain = alias.strip().lower(), domain.strip().lower()
    errors = alias_errors(alias)
    if errors:
        raise ValidationError({"alias": errors})
    if len(domain) > DOMAIN_MAX_LENGTH:
        raise ValidationError({"domain": [_("The domain can have at most %(max)d characters.") % {"max": DOMAIN_MAX_LENGTH}]})
    upn = f"{alias}@{domain}"
    if len(upn) > UPN_MAX_LENGTH:
        raise ValidationError({"alias": [_("The user ID can have at most %(max)d characters.") % {"max": UPN_MAX_LENGTH}]})
    return upn


@transaction.atomic
def user_create(*, tenant, actor: Actor, alias: str, domain: str, display_name: str, password: str | None = None,
                roles=(), admin_contact_required: bool = True, **details) -> tuple[User, str]:
    """A new account in `tenant`. Without `password` a temporary one is generated (changed at next sign-in).
    Returns the user and the password to show once. `admin_contact_required=False` only for the first
    administrator an operator provisions without an alternate address (the overview then asks for one)."""
    upn = build_upn(alias, domain)
    # Reverse relation: the user name's domain must be one of the organization's verified domains.
    if not tenant.domains.filter(name=upn.partition("@")[2], verified_at__isnull=False).exists():
        raise ValidationError({"domain": [_("Choose one of your organization's verified domains.")]})
    if not (display_name or "").strip():
        raise ValidationError({"display_name": [_("Enter a display name.")]})
    if roles and admin_contact_required and not details.get("alternate_email"):
        raise ValidationError({"alternate_email": [_("Administrators need an alternate e-mail address.")]})
    user = User(tenant=tenant, upn=upn, display_name=display_name.strip(), **details)
    temporary = password is None
    password = password or generate_temporary_password()
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = temporary
    user.password_changed_at = timezone.now()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationError({"alias": [_("%(upn)s is already used by another account.") % {"upn": upn}]})
    audit_record(tenant=tenant, actor=actor, action="user.create", target=user,
                 changes={"upn": [None, upn], "display_name": [None, user.display_name]})
    for role in roles:
        role_assign(user=user, role=role, actor=actor)
    return user, password


@transaction.atomic
def role_assign(*, user: User, role: str, actor: Actor) -> RoleAssignment:
    """Give `user` an administrator role (idempotent)."""
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    assignment, created = RoleAssignment.objects.get_or_create(tenant_id=user.tenant_id, user=user, role=role)
    if created:
        audit_record(tenant=user.tenant, actor=actor, action="role.assign", target=user,
                     changes={"role": [None, role]})
        user.__dict__.pop("role_codes", None)
    return assignment


@transaction.atomic
def users_set_sign_in(*, user_ids, allowed: bool, actor: Actor) -> int:
    """Allow or block sign-in for members of organizations; returns how many accounts changed.

    A blocked account keeps its licenses (SPEC "Sign-in status"). Staff accounts are skipped:
    they have no organization whose log could record the change.
    """
    users = list(
        User.objects.select_for_update(of=("self",)).select_related("tenant")
        .filter(pk__in=list(user_ids), tenant__isnull=False).exclude(is_active=allowed)
    )
    User.objects.filter(pk__in=[user.pk for user in users]).update(is_active=allowed)
    for user in users:
        audit_record(tenant=user.tenant, actor=actor, action="user.update", target=user,
                     changes={"is_active": [not allowed, allowed]})
    return len(users)

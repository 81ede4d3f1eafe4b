"""Writes behind the API's /v1.0/me and the administrator's password reset through PATCH /v1.0/users/{id}.

They reuse the portal's services (My profile, passwords) for every rule those cover, so the API and
the pages cannot drift apart; only what the pages do not offer is written here.
"""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenantadmin.actors import Actor
from tenantadmin.services.audit import audit_record, diff_fields
from users.models import User
from users.password_services import password_reset_allowed
from users.profile_services import (
    AUDIT_ACTION,
    PHONE_MAX_LENGTH,
    profile_alternate_email_update,
    profile_details_update,
    profile_regional_update,
)

ME_FIELDS = ("display_name", "mobile_phone", "office_phone", "language", "alternate_email")
_PHONE_FIELDS = ("mobile_phone", "office_phone")


@transaction.atomic
def me_update(*, user: User, actor: Actor, **values) -> None:
    """A person's own profile change, all or nothing: a bad value anywhere leaves every field as it was.
    Each part is validated and audited (user.profile_update) by the same service as on My profile."""
    unknown = set(values) - set(ME_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    if "display_name" in values:
        profile_details_update(user=user, actor=actor, display_name=values["display_name"])
    if "language" in values:
        profile_regional_update(user=user, actor=actor, language=values["language"], time_zone=user.time_zone)
    if "alternate_email" in values:
        profile_alternate_email_update(user=user, actor=actor, alternate_email=values["alternate_email"])
    phones = {name: (values[name] or "").strip() for name in _PHONE_FIELDS if name in values}
    if phones:
        _phones_update(user, actor, phones)


def _phones_update(user: User, actor: Actor, phones: dict) -> None:
    # My profile has no phone fields (its contact preferences are separate), hence this write.
    errors = {name: [_("Use at most %(max)d characters.") % {"max": PHONE_MAX_LENGTH}]
              for name, value in phones.items() if len(value) > PHONE_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)
    locked = User.objects.select_for_update().get(pk=user.pk, tenant_id=user.tenant_id)
    changes = diff_fields(locked, phones)
    if changes:
        for name, value in phones.items():
            setattr(locked, name, value)
            setattr(user, name, value)
        locked.save(update_fields=list(changes))
        audit_record(tenant=user.tenant, actor=actor, action=AUDIT_ACTION, target=locked, changes=changes)


@transaction.atomic
def password_set_by_admin(*, user: User, actor: Actor, password: str, force_change: bool = True) -> None:
    """Set another person's password to one the administrator (or app) chose, as Graph's passwordProfile
    does; with `force_change` it is temporary and must be changed at the next sign-in. The same role
    rule and audit action as the portal's reset, which generates the password instead."""
    if not password_reset_allowed(actor, user):
        raise PermissionDenied(_("Your role does not allow resetting this person's password."))
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages})
    locked = User.objects.select_for_update().get(pk=user.pk, tenant_id=user.tenant_id)
    was_forced = locked.must_change_password
    locked.set_password(password)
    locked.must_change_password = force_change
    locked.password_changed_at = timezone.now()
    locked.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit_record(tenant=user.tenant, actor=actor, action="user.password_reset", target=locked,
                 changes={"must_change_password": [was_forced, force_change]})

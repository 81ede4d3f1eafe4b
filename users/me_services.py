"""Writes behind the API's /v1.0/me.

They reuse the portal's services (My profile, passwords) for every rule those cover, so the API and
the pages cannot drift apart; only what the pages do not offer is written here.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tenantadmin.actors import Actor
from users.models import User
from users.profile_services import (
    PHONE_MAX_LENGTH,
    profile_alternate_email_update,
    profile_details_update,
    profile_regional_update,
    user_fields_update,
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
    user_fields_update(user, actor, phones)

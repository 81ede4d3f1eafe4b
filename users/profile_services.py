"""Writes of My profile: one service per section, each atomic, validated and audited as
`user.profile_update` with the fields it changed. A person only ever changes their own account here."""

from functools import lru_cache
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from tenantadmin.actors import Actor
from tenantadmin.services.audit import audit_record, diff_fields
from users.models import ContactPreferences, User, UserPhoto
from users.photos import forget_photo_version, prepare_photo

AUDIT_ACTION = "user.profile_update"
EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 64
DISPLAY_NAME_MAX_LENGTH = 256
CONTACT_CHOICES = ("promotional_offers", "customer_research", "educational_content", "partner_communications",
                   "compliance_notices")
CONTACT_FIELDS = ("preferred_phone", "preferred_mobile", "preferred_email", *CONTACT_CHOICES)


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    """Every IANA zone this system knows, sorted (reading the zone database is slow: done once)."""
    return tuple(sorted(available_timezones()))


def display_language_codes() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def email_inside_organization(tenant, email: str) -> bool:
    """True when the address's domain is one of the organization's own domains."""
    domain = email.rpartition("@")[2].strip().rstrip(".").lower()
    if not domain:
        return False
    names = {domain}
    try:
        names.add(domain.encode("idna").decode("ascii"))  # domains are stored in punycode
    except UnicodeError:
        pass
    return tenant.domains.filter(name__in=names).exists()


def profile_details_update(*, user: User, actor: Actor, display_name: str) -> dict:
    """Change the person's display name."""
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationError({"display_name": [_("Enter a display name.")]})
    if len(display_name) > DISPLAY_NAME_MAX_LENGTH:
        raise ValidationError({"display_name": [_too_long(DISPLAY_NAME_MAX_LENGTH)]})
    return user_fields_update(user, actor, {"display_name": display_name})


def profile_regional_update(*, user: User, actor: Actor, language: str, time_zone: str) -> dict:
    """Change the portal's display language and time zone for this person (empty: the defaults)."""
    errors = {}
    if language and language not in display_language_codes():
        errors["language"] = [_("Choose one of the offered languages.")]
    if time_zone and time_zone not in time_zone_names():
        errors["time_zone"] = [_("Choose a time zone from the list, such as Europe/Amsterdam.")]
    if errors:
        raise ValidationError(errors)
    return user_fields_update(user, actor, {"language": language or "", "time_zone": time_zone or ""})


def profile_alternate_email_update(*, user: User, actor: Actor, alternate_email: str) -> dict:
    """Change the alternate e-mail address; administrators must keep one (SPEC "Roles")."""
    alternate_email = (alternate_email or "").strip()
    if alternate_email:
        _check_email("alternate_email", alternate_email)
    elif user.is_admin:
        raise ValidationError({"alternate_email": [
            _("Administrators need an alternate e-mail address: password resets for administrators are sent there.")]})
    return user_fields_update(user, actor, {"alternate_email": alternate_email})


@transaction.atomic
def profile_contact_update(*, user: User, actor: Actor, **values) -> dict:
    """Save how the person wants to hear from us; the preferences row is created on the first save."""
    unknown = set(values) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact preference fields: {sorted(unknown)}")
    clean = {name: (values.get(name) or "").strip() for name in ("preferred_phone", "preferred_mobile", "preferred_email")}
    clean.update({name: bool(values.get(name)) for name in CONTACT_CHOICES})
    errors = {name: [_too_long(PHONE_MAX_LENGTH)] for name in ("preferred_phone", "preferred_mobile")
              if len(clean[name]) > PHONE_MAX_LENGTH}
    if clean["preferred_email"]:
        try:
            _check_email("preferred_email", clean["preferred_email"])
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    preferences, _created = ContactPreferences.objects.select_for_update().get_or_create(
        user=user, defaults={"tenant_id": user.tenant_id})
    changes = diff_fields(preferences, clean)
    if changes:
        for name, value in clean.items():
            setattr(preferences, name, value)
        preferences.save(update_fields=[*changes, "updated_at"])
        audit_record(tenant=user.tenant, actor=actor, action=AUDIT_ACTION, target=user,
                     changes={f"contact.{name}": change for name, change in changes.items()})
    return changes


def profile_photo_set(*, user: User, actor: Actor, upload) -> UserPhoto:
    """Check, clean and keep a new profile photo in place of the old one."""
    try:
        content, content_type = prepare_photo(upload)  # CPU work: outside the transaction
    except ValidationError as error:
        raise ValidationError({"photo": error.messages})
    with transaction.atomic():
        previous_type = _locked_photo_type(user)
        photo, _created = UserPhoto.objects.update_or_create(
            user=user, defaults={"tenant_id": user.tenant_id, "content": content, "content_type": content_type})
        audit_record(tenant=user.tenant, actor=actor, action=AUDIT_ACTION, target=user,
                     changes={"photo": [previous_type, content_type]})
        transaction.on_commit(lambda: forget_photo_version(user.pk))
    return photo


@transaction.atomic
def profile_photo_remove(*, user: User, actor: Actor) -> bool:
    """Remove the person's photo; False when there was none."""
    previous_type = _locked_photo_type(user)
    if previous_type is None:
        return False
    UserPhoto.objects.filter(user_id=user.pk).delete()
    audit_record(tenant=user.tenant, actor=actor, action=AUDIT_ACTION, target=user,
                 changes={"photo": [previous_type, None]})
    transaction.on_commit(lambda: forget_photo_version(user.pk))
    return True


def _locked_photo_type(user: User) -> str | None:
    return (UserPhoto.objects.select_for_update().filter(user_id=user.pk)
            .values_list("content_type", flat=True).first())


@transaction.atomic
def user_fields_update(user: User, actor: Actor, values: dict) -> dict:
    """Write already-validated fields of `user` under a row lock; audit what changed; return the changes."""
    locked = User.objects.select_for_update().get(pk=user.pk, tenant_id=user.tenant_id)
    changes = diff_fields(locked, values)
    if changes:
        for name, value in values.items():
            setattr(locked, name, value)
            setattr(user, name, value)
        locked.save(update_fields=list(changes))
        audit_record(tenant=user.tenant, actor=actor, action=AUDIT_ACTION, target=locked, changes=changes)
    return changes


def _check_email(field: str, value: str) -> None:
    if len(value) > EMAIL_MAX_LENGTH:
        raise ValidationError({field: [_too_long(EMAIL_MAX_LENGTH)]})
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError({field: [_("Enter a valid e-mail address, such as name@example.com.")]})


def _too_long(limit: int) -> str:
    return _("Use at most %(max)d characters.") % {"max": limit}

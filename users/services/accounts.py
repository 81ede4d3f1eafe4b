"""User accounts: create (the wizard's one atomic step, the API's POST), edit, rename, sign-in status."""

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries

from billing.catalog import EMBARGOED_COUNTRIES
from tenantadmin.actors import Actor
from tenantadmin.mail import mail_after_commit
from tenantadmin.services.audit import audit_record, diff_fields
from users.licenses import NoFreeLicenses, licenses_change
from users.models import ALIAS_MAX_LENGTH, DOMAIN_MAX_LENGTH, UPN_MAX_LENGTH, LicenseAssignment, User
from users.password_services import notify_addresses
from users.passwords import generate_temporary_password
from users.services.proxies import address_owner, proxies_follow_upn, proxies_for_new_user, taken_error
from users.services.roles import require_manage, role_assign

# Letters, digits and . - _ ' ; no dot at either end (the rules of the seed's user name field).
_ALIAS = re.compile(r"^[A-Za-z0-9_'](?:[A-Za-z0-9._'-]*[A-Za-z0-9_'-])?$")

# The "Additional details" of the wizard and the CSV table (SPEC users/), in its order; lengths come from the model.
DETAIL_FIELDS = ("first_name", "last_name", "job_title", "department", "office", "office_phone", "mobile_phone", "fax",
                 "street", "city", "state", "postal_code", "country_name")
# What user_update changes besides the user name.
EDITABLE_FIELDS = (*DETAIL_FIELDS, "display_name", "usage_location", "alternate_email", "is_active")
# Set when an account is created (sign-up, operator tools, import) but edited by the person in My profile.
_CREATE_ONLY_FIELDS = ("language", "time_zone")


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


def checked_upn(*, tenant, alias: str, domain: str, user: User | None = None) -> str:
    """A user name that `user` (or a new account) may take: well formed, on a verified domain of `tenant`, and
    neither another live account's user name nor its e-mail address (SPEC users/ "Rule across domains")."""
    upn = build_upn(alias, domain)
    # Reverse relation: the user name's domain must be one of the organization's verified domains.
    if not tenant.domains.filter(name=upn.partition("@")[2], verified_at__isnull=False).exists():
        raise ValidationError({"domain": ValidationError(_("Choose one of your organization's verified domains."),
                                                         code="domain_not_verified")})
    owner = address_owner(upn, exclude=user)
    if owner is not None:
        raise taken_error(upn, owner, tenant)
    return upn


def _clean_details(values: dict, allowed=EDITABLE_FIELDS) -> dict:
    """Strip text, check the SPEC lengths and the country codes; per-field errors, all at once."""
    cleaned, errors = {}, {}
    for name, value in values.items():
        if name not in allowed:
            raise TypeError(f"{name} is not a user detail")
        if name == "is_active":
            cleaned[name] = bool(value)
            continue
        value = str(value or "").strip()
        if name == "usage_location":
            value = value.upper()
            if value and value not in dict(countries):
                errors[name] = [_("Choose a country or region from the list.")]
        elif name == "alternate_email" and value:
            try:
                validate_email(value)
            except ValidationError:
                errors[name] = [_("Enter a valid e-mail address.")]
        limit = User._meta.get_field(name).max_length if name != "usage_location" else None
        if limit and len(value) > limit:
            errors[name] = [_("At most %(max)d characters.") % {"max": limit}]
        cleaned[name] = value
    if "display_name" in cleaned and not cleaned["display_name"]:
        errors["display_name"] = [_("Enter a display name.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _licenses_error(error: ValidationError) -> ValidationError:
    if isinstance(error, NoFreeLicenses):
        return ValidationError({"licenses": ValidationError(error.messages[0], code="no_free_licenses")})
    if hasattr(error, "error_dict"):
        return error
    field = "usage_location" if error.code in ("usage_location_required", "license_restricted") else "licenses"
    return ValidationError({field: ValidationError(error.messages[0], code=error.code)})


@transaction.atomic
def user_create(*, tenant, actor: Actor, alias: str, domain: str, display_name: str, password: str | None = None,
                roles=(), admin_contact_required: bool = True, licenses=(), proxy_addresses=(), notify=(),
                force_change: bool | None = None, **details) -> tuple[User, str]:
    """A new account in `tenant`, all or nothing: details, roles, licenses (Skus) and extra e-mail addresses.
    Without `password` a temporary one is generated (changed at next sign-in). Returns the user and the password to
    show once; `notify` (at most five addresses) get the result by mail. `admin_contact_required=False` only for the
    first administrator an operator provisions without an alternate address (the overview then asks for one)."""
    upn = checked_upn(tenant=tenant, alias=alias, domain=domain)
    details = _clean_details({"display_name": display_name, **details}, (*EDITABLE_FIELDS, *_CREATE_ONLY_FIELDS))
    if roles and admin_contact_required and not details.get("alternate_email"):
        raise ValidationError({"alternate_email": [_("Administrators need an alternate e-mail address.")]})
    recipients = notify_addresses(notify)
    user = User(tenant=tenant, upn=upn, **details)
    temporary = password is None
    password = password or generate_temporary_password()
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages})
    user.set_password(password)
    user.must_change_password = temporary if force_change is None else force_change
    user.password_changed_at = timezone.now()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a concurrent request took the name between the check and the insert
        raise ValidationError({"alias": ValidationError(_("%(upn)s is already used by another account.") % {"upn": upn},
                                                        code="upn_taken")})
    audit_record(tenant=tenant, actor=actor, action="user.create", target=user,
                 changes={"upn": [None, upn], "display_name": [None, user.display_name]})
    proxies_for_new_user(user, proxy_addresses)
    for role in roles:
        role_assign(user=user, role=role, actor=actor, require_contact=admin_contact_required)
    if licenses:
        try:
            licenses_change(user=user, actor=actor, add=list(licenses))
        except ValidationError as error:
            raise _licenses_error(error) from None
    if recipients:
        _mail_results(user, recipients, password)
    return user, password


def _mail_results(user: User, recipients: list[str], password: str) -> None:
    language = user.tenant.preferred_language
    with translation.override(language):
        subject = _("New user account %(upn)s") % {"upn": user.upn}
    # One message per address (mail_after_commit), so recipients do not see each other.
    mail_after_commit(
        to=recipients, subject=subject, template="users/create/mail/results", tenant=user.tenant, category="account",
        language=language,
        context={"user": user, "temporary_password": password, "signin_path": reverse("users:signin"),
                 "licenses": [held.sku.name for held in user.licenses.select_related("sku")]},
    )


def _check_location(user: User, location: str) -> None:
    """A new user location must still allow the licenses the user holds (SPEC license restrictions by country)."""
    if not LicenseAssignment.objects.filter(user=user).exists():
        return
    if not location:
        raise ValidationError({"usage_location": [_("This user holds licenses, so a user location is required.")]})
    if location in EMBARGOED_COUNTRIES:
        raise ValidationError({"usage_location": [
            _("Licenses cannot be used in %(country)s: remove this user's licenses first.") % {
                "country": dict(countries)[location]}]})


@transaction.atomic
def user_update(*, user: User, actor: Actor, alias: str | None = None, domain: str | None = None, **values) -> dict:
    """Change an account's details, location, alternate address, sign-in status and (with alias/domain) user name.
    Only the given fields change; returns {field: [before, after]} of what changed."""
    require_manage(actor, user)
    original = user
    user = User.objects.select_for_update().select_related("tenant").get(pk=user.pk, tenant_id=user.tenant_id)
    if user.deleted_at is not None:
        raise ValidationError(_("A deleted user cannot be changed; restore the account first."), code="deleted")
    values = _clean_details(values)
    if values.get("is_active") is False and actor.user is not None and actor.user.pk == user.pk:
        raise ValidationError({"is_active": [_("You cannot block your own sign-in.")]})
    if "alternate_email" in values and not values["alternate_email"] and user.is_admin:
        raise ValidationError({"alternate_email": [_("Administrators need an alternate e-mail address.")]})
    if "usage_location" in values and values["usage_location"] != user.usage_location.code:
        _check_location(user, values["usage_location"])
    changes = diff_fields(user, values)
    if changes:
        for name in changes:
            setattr(user, name, values[name])
        user.save(update_fields=list(changes))
        audit_record(tenant=user.tenant, actor=actor, action="user.update", target=user, changes=changes)
    if alias is not None or domain is not None:
        renamed = user_rename(user=user, actor=actor, alias=user.alias if alias is None else alias,
                              domain=user.domain if domain is None else domain)
        if renamed:
            changes["upn"] = renamed
    # The caller's instance shows the new values too (views render it, the API answers with it).
    for name in changes:
        setattr(original, name, getattr(user, name))
    return changes


@transaction.atomic
def user_rename(*, user: User, actor: Actor, alias: str, domain: str) -> list[str] | None:
    """Give the account another user name (also: move it to another domain); the primary e-mail address follows.
    Returns [old, new], or None when nothing changed."""
    require_manage(actor, user)
    upn = checked_upn(tenant=user.tenant, alias=alias, domain=domain, user=user)
    old = user.upn
    if upn == old:
        return None
    try:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(upn=upn)
    except IntegrityError:
        raise ValidationError({"alias": ValidationError(_("%(upn)s is already used by another account.") % {"upn": upn},
                                                        code="upn_taken")})
    user.upn = upn
    proxies_follow_upn(user, old)
    audit_record(tenant=user.tenant, actor=actor, action="user.rename", target=user, changes={"upn": [old, upn]})
    return [old, upn]


@transaction.atomic
def user_licenses_set(*, user: User, actor: Actor, add=(), remove=()) -> None:
    """licenses_change behind the role rule, with errors keyed by field for forms and the API."""
    require_manage(actor, user)
    try:
        licenses_change(user=user, actor=actor, add=list(add), remove=list(remove))
    except ValidationError as error:
        raise _licenses_error(error) from None


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



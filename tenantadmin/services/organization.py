"""Writes for organizations: creation (used by sign-up and the operator command) and the profile."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_countries import countries

from tenantadmin.actors import Actor
from tenantadmin.initial_domain import check_label, initial_domain_for
from tenantadmin.languages import COMMUNICATION_LANGUAGES
from tenantadmin.models import ServiceSettings, Tenant
from tenantadmin.services.audit import audit_record, diff_fields

PROFILE_FIELDS = ("name", "street", "city", "state", "postal_code", "phone", "technical_contact",
                  "preferred_language", "default_domain")


@transaction.atomic
def tenant_create(*, name: str, country: str, initial_label: str, actor: Actor,
                  preferred_language: str = "en", **profile) -> Tenant:
    """A new organization with its service settings; the caller adds domain, admin and plan."""
    errors = {}
    name = (name or "").strip()
    if not 1 <= len(name) <= Tenant._meta.get_field("name").max_length:
        errors["name"] = [_("Enter an organization name of at most 100 characters.")]
    if (country or "").upper() not in countries:
        errors["country"] = [_("Choose a country or region.")]
    if preferred_language not in dict(COMMUNICATION_LANGUAGES):
        errors["preferred_language"] = [_("Choose a language from the list.")]
    label, label_errors = check_label(initial_label)
    if label_errors:
        errors["initial_domain"] = label_errors
    if errors:
        raise ValidationError(errors)
    domain = initial_domain_for(label)
    try:
        # A savepoint so a lost race on the unique initial domain leaves the outer transaction usable.
        with transaction.atomic():
            tenant = Tenant.objects.create(
                name=name, country=country.upper(), preferred_language=preferred_language,
                initial_domain=domain, default_domain=domain, **profile,
            )
    except IntegrityError:
        raise ValidationError({"initial_domain": [_("%(domain)s is already taken. Try another name.") % {"domain": domain}]})
    ServiceSettings.objects.create(tenant=tenant)
    audit_record(tenant=tenant, actor=actor, action="organization.create", target=tenant,
                 changes={"name": [None, tenant.name], "country": [None, str(tenant.country)],
                          "initial_domain": [None, domain]})
    return tenant


@transaction.atomic
def organization_update(*, tenant: Tenant, actor: Actor, **values) -> Tenant:
    """Edit the organization profile. Country and initial domain are not editable."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if "default_domain" in values:
        name = values["default_domain"].strip().lower()
        # Reverse relation: core does not import the domains app.
        if not tenant.domains.filter(name=name, verified_at__isnull=False).exists():
            raise ValidationError({"default_domain": [_("Choose one of your verified domains.")]})
        values["default_domain"] = name
    changes = diff_fields(tenant, values)
    if not changes:
        return tenant
    for field, value in values.items():
        setattr(tenant, field, value)
    tenant.save(update_fields=list(changes))
    audit_record(tenant=tenant, actor=actor, action="organization.update", target=tenant, changes=changes)
    return tenant


SERVICE_SETTING_FIELDS = (
    "calendar_publishing_enabled", "mobile_email_enabled", "device_password_required",
    "device_password_min_length", "device_password_alphanumeric", "device_inactivity_lock_minutes",
    "device_wipe_after_failures", "lync_mobile_push_enabled",
)


@transaction.atomic
def service_settings_update(*, tenant: Tenant, actor: Actor, **values) -> ServiceSettings:
    """Change organization-wide service settings; every bound is re-checked here."""
    unknown = set(values) - set(SERVICE_SETTING_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown settings: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    current = ServiceSettings.objects.select_for_update().get(tenant=tenant)
    changes = diff_fields(current, values)
    if not changes:
        return current
    for field, value in values.items():
        setattr(current, field, value)
    current.full_clean()
    current.save(update_fields=[*changes, "updated_at"])
    audit_record(tenant=tenant, actor=actor, action="service_settings.update", target=current,
                 target_label=_("Service settings"), changes=changes)
    return current

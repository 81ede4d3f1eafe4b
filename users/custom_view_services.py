"""Writes for custom views of the Users page (SPEC users/ "User views": up to 50 per organization, shared by
all administrators). The portal form and /v1.0/tenantadmin/userViews call these same functions."""

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_countries import countries

from billing.models import Sku
from tenantadmin.actors import Actor
from tenantadmin.models import Tenant
from tenantadmin.roles import Role
from tenantadmin.services.audit import audit_record
from users.models import CustomView, SecurityGroup

MAX_CUSTOM_VIEWS = 50  # SPEC users/ "User views"
NAME_MAX_LENGTH = 64
DEPARTMENT_MAX_LENGTH = 64  # the user's department field
SIGN_IN_VALUES = ("allowed", "blocked")
FILTER_KEYS = ("sku", "unlicensed", "domain", "department", "country", "sign_in", "role", "group")


class TooManyViews(ValidationError):
    """The organization already has the most custom views allowed."""


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def clean_filters(*, tenant, filters: dict) -> dict:
    """The filters with empty ones dropped and every value checked against the organization; a ValidationError
    names each bad filter (its key), "filters" when none is chosen."""
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    if unknown:
        raise ValidationError({"filters": [_("Unknown filters: %(names)s.") % {"names": ", ".join(unknown)}]})
    values = {key: (value.strip() if isinstance(value, str) else value) for key, value in filters.items()}
    values = {key: value for key, value in values.items() if value not in (None, "", False)}
    errors = {}
    if "sku" in values:
        sku_id = _uuid(values["sku"])
        if sku_id is None or not Sku.objects.filter(pk=sku_id).exists():
            errors["sku"] = [_("Choose one of the plans in the list.")]
        else:
            values["sku"] = str(sku_id)
    if "unlicensed" in values:
        if values["unlicensed"] is not True:
            errors["unlicensed"] = [_("This filter is on or off.")]
        elif "sku" in values:
            errors["unlicensed"] = [_("A user cannot hold a license and have none: choose a license or "
                                      "“without licenses”, not both.")]
    if "domain" in values:
        domain = str(values["domain"]).lower()
        if not tenant.domains.filter(name=domain).exists():
            errors["domain"] = [_("Choose one of your organization's domains.")]
        values["domain"] = domain
    if "department" in values:
        if not isinstance(values["department"], str) or len(values["department"]) > DEPARTMENT_MAX_LENGTH:
            errors["department"] = [_("A department has at most %(max)d characters.") % {"max": DEPARTMENT_MAX_LENGTH}]
    if "country" in values:
        code = str(values["country"]).upper()
        if code not in dict(countries):
            errors["country"] = [_("Choose a country or region from the list.")]
        values["country"] = code
    if "sign_in" in values and values["sign_in"] not in SIGN_IN_VALUES:
        errors["sign_in"] = [_("Choose allowed or blocked.")]
    if "role" in values and values["role"] not in Role.values:
        errors["role"] = [_("Choose one of the administrator roles.")]
    if "group" in values:
        group_id = _uuid(values["group"])
        if group_id is None or not SecurityGroup.objects.filter(tenant=tenant, pk=group_id).exists():
            errors["group"] = [_("Choose one of your organization's security groups.")]
        else:
            values["group"] = str(group_id)
    if not values and not errors:
        errors["filters"] = [_("Choose at least one filter; without one the view would be the same as All users.")]
    if errors:
        raise ValidationError(errors)
    return {key: values[key] for key in FILTER_KEYS if key in values}


def _clean_name(*, tenant, name, exclude=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Enter a name for the view.")]})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": [_("The name can have at most %(max)d characters.") % {"max": NAME_MAX_LENGTH}]})
    taken = CustomView.objects.filter(tenant=tenant, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError({"name": [_name_taken(name)]})
    return name


def _name_taken(name: str) -> str:
    return _("A view named “%(name)s” already exists (names are compared without case). Choose another name.") % {
        "name": name}


def _save(view: CustomView, **kwargs) -> None:
    try:
        with transaction.atomic():
            view.save(**kwargs)
    except IntegrityError:
        raise ValidationError({"name": [_name_taken(view.name)]}) from None


def limit_message() -> str:
    return _("Your organization already has %(max)d custom views, the most allowed. Delete a view you no longer "
             "need, or change an existing one.") % {"max": MAX_CUSTOM_VIEWS}


@transaction.atomic
def custom_view_create(*, tenant, actor: Actor, name: str, filters: dict) -> CustomView:
    """A new custom view shared by the organization's administrators; refused past the 50th."""
    # Lock the organization's row first: two admins creating the 50th view at once are served one after the
    # other, and the second one counts the first one's view.
    Tenant.objects.select_for_update().filter(pk=tenant.pk).exists()
    if CustomView.objects.filter(tenant=tenant).count() >= MAX_CUSTOM_VIEWS:
        raise TooManyViews(limit_message())
    name = _clean_name(tenant=tenant, name=name)
    view = CustomView(tenant=tenant, name=name, filters=clean_filters(tenant=tenant, filters=filters),
                      created_by=actor.user)
    _save(view)
    audit_record(tenant=tenant, actor=actor, action="custom_view.create", target=view,
                 changes={"name": [None, view.name], "filters": [None, view.filters]})
    return view


@transaction.atomic
def custom_view_update(*, view: CustomView, actor: Actor, name: str | None = None,
                       filters: dict | None = None) -> CustomView:
    """Rename `view` and/or replace its filters (None leaves a part as it is)."""
    tenant = view.tenant
    new_name = view.name if name is None else _clean_name(tenant=tenant, name=name, exclude=view)
    new_filters = view.filters if filters is None else clean_filters(tenant=tenant, filters=filters)
    changes = {}
    if new_name != view.name:
        changes["name"] = [view.name, new_name]
    if new_filters != view.filters:
        changes["filters"] = [view.filters, new_filters]
    if not changes:
        return view
    view.name, view.filters = new_name, new_filters
    _save(view, update_fields=["name", "filters", "updated_at"])
    audit_record(tenant=tenant, actor=actor, action="custom_view.update", target=view, changes=changes)
    return view


@transaction.atomic
def custom_view_delete(*, view: CustomView, actor: Actor) -> None:
    """Delete a custom view (the users it shows are not touched)."""
    audit_record(tenant=view.tenant, actor=actor, action="custom_view.delete", target=view,
                 changes={"name": [view.name, None], "filters": [view.filters, None]})
    view.delete()

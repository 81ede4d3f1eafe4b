"""Forms for editing one user (tabs Details, Settings, Licenses, More) and many users at once."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tenantadmin.forms import apply_service_errors
from tenantadmin.roles import ROLE_DESCRIPTIONS, Role
from users.create_forms import ADDITIONAL_FIELDS, country_choices, detail_fields
from users.models import ALIAS_MAX_LENGTH
from users.services import checked_upn


class EditDetailsForm(forms.Form):
    alias = forms.CharField(label=_("User name"), max_length=ALIAS_MAX_LENGTH,
                            help_text=_("Changing it changes the sign-in name; the primary e-mail address follows it "
                                        "unless another address was made primary."))
    domain = forms.ChoiceField(label=_("Domain"))
    display_name = forms.CharField(label=_("Display name"), max_length=256)

    def __init__(self, *args, person, domains: list[str], **kwargs):
        initial = {name: getattr(person, name) for name in ("display_name", *detail_fields())}
        initial.update(alias=person.alias, domain=person.domain)
        super().__init__(*args, initial=initial, **kwargs)
        self.person = person
        names = domains if person.domain in domains else [person.domain, *domains]
        self.fields["domain"].choices = [(name, "@" + name) for name in names]
        self.fields.update(detail_fields())
        self.order_fields(["first_name", "last_name", "display_name", "alias", "domain", *ADDITIONAL_FIELDS])

    def clean(self):
        data = super().clean()
        alias, domain = data.get("alias"), data.get("domain")
        if alias and domain and f"{alias.lower()}@{domain}" != self.person.upn:
            try:
                checked_upn(tenant=self.person.tenant, alias=alias, domain=domain, user=self.person)
            except ValidationError as error:
                apply_service_errors(self, error)
        return data

    def additional(self):
        return [self[name] for name in ADDITIONAL_FIELDS]


class EditSettingsForm(forms.Form):
    roles = forms.MultipleChoiceField(label=_("Administrator roles"), required=False, widget=forms.CheckboxSelectMultiple)
    is_active = forms.TypedChoiceField(
        label=_("Sign-in status"), coerce=lambda value: value == "1", widget=forms.RadioSelect,
        choices=[("1", _("Allowed")), ("0", _("Blocked"))],
        help_text=_("A blocked user cannot sign in but keeps the account and its licenses."))
    usage_location = forms.ChoiceField(label=_("User location"),
                                       help_text=_("Decides which licenses and services may be assigned."))
    alternate_email = forms.EmailField(label=_("Alternate e-mail address"), required=False, max_length=254,
                                       help_text=_("Required for administrators."))

    def __init__(self, *args, person, may_assign_roles: bool, **kwargs):
        initial = {"roles": sorted(person.role_codes), "is_active": "1" if person.is_active else "0",
                   "usage_location": person.usage_location.code or "", "alternate_email": person.alternate_email}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["roles"].choices = [(role.value, role.label) for role in Role]
        self.fields["usage_location"].choices = country_choices(_("Not set"))
        self.fields["usage_location"].required = False
        if not may_assign_roles:
            self.fields["roles"].disabled = True
            self.fields["roles"].help_text = _("Only a global administrator can give or take administrator roles.")

    def role_rows(self):
        chosen = set(self["roles"].value() or ())
        return [{"value": value, "label": label, "description": ROLE_DESCRIPTIONS.get(value, ""), "checked": value in chosen}
                for value, label in self.fields["roles"].choices]

    def clean(self):
        data = super().clean()
        if data.get("roles") and not data.get("alternate_email"):
            self.add_error("alternate_email", _("Administrators need an alternate e-mail address."))
        return data


class EditLicensesForm(forms.Form):
    skus = forms.MultipleChoiceField(label=_("Licenses"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, person, units, held_ids: set, **kwargs):
        super().__init__(*args, initial={"skus": [str(pk) for pk in held_ids]}, **kwargs)
        self.held_ids = {str(pk) for pk in held_ids}
        # A plan the user holds stays listed (to remove it) even when none is free.
        self.units = [unit for unit in units if unit.free > 0 or str(unit.sku.pk) in self.held_ids]
        self.fields["skus"].choices = [(str(unit.sku.pk), unit.sku.name) for unit in self.units]

    def rows(self):
        chosen = set(self["skus"].value() or ())
        return [{"unit": unit, "checked": str(unit.sku.pk) in chosen, "held": str(unit.sku.pk) in self.held_ids}
                for unit in self.units]

    def changes(self) -> tuple[list, list]:
        """(sku ids to add, sku ids to remove)."""
        chosen = set(self.cleaned_data["skus"])
        return sorted(chosen - self.held_ids), sorted(self.held_ids - chosen)


class ProxyAddForm(forms.Form):
    address = forms.CharField(label=_("New e-mail address"), max_length=256,
                              widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": "alias@contoso.com"}))


# ------------------------------------------------------------------------------------------- edit many users

NO_CHANGE = ""


class BulkEditForm(forms.Form):
    """Only filled fields change; empty ones leave each user's value as it is."""

    sign_in = forms.ChoiceField(label=_("Sign-in status"), required=False,
                                choices=[(NO_CHANGE, _("Do not change")), ("allowed", _("Allowed")), ("blocked", _("Blocked"))])
    usage_location = forms.ChoiceField(label=_("User location"), required=False)
    license_mode = forms.ChoiceField(
        label=_("Licenses"), widget=forms.RadioSelect, initial="retain",
        choices=[("retain", _("Retain current assignments")), ("replace", _("Replace existing assignments")),
                 ("add", _("Add to existing assignments"))])
    skus = forms.MultipleChoiceField(label=_("Plans"), required=False, widget=forms.CheckboxSelectMultiple)

    # Details a bulk edit may set: not the names, which belong to one person each.
    DETAIL_NAMES = ("job_title", "department", "office", "office_phone", "fax", "street", "city", "state",
                    "postal_code", "country_name")

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        fields = detail_fields()
        for name in self.DETAIL_NAMES:
            field = fields[name]
            field.required = False
            field.help_text = _("Leave empty to keep each user's value.")
            self.fields[name] = field
        self.units = units
        self.fields["usage_location"].choices = country_choices(_("Do not change"))
        self.fields["skus"].choices = [(str(unit.sku.pk), unit.sku.name) for unit in units]
        self.order_fields([*self.DETAIL_NAMES, "sign_in", "usage_location", "license_mode", "skus"])

    def detail_fields(self):
        return [self[name] for name in self.DETAIL_NAMES]

    def clean(self):
        data = super().clean()
        if data.get("license_mode") == "add" and not data.get("skus"):
            self.add_error("skus", _("Choose the plans to add."))
        return data

    def changes(self) -> dict:
        """The fields to set on every selected user."""
        values = {name: self.cleaned_data[name].strip() for name in self.DETAIL_NAMES if self.cleaned_data[name].strip()}
        if self.cleaned_data["sign_in"]:
            values["is_active"] = self.cleaned_data["sign_in"] == "allowed"
        if self.cleaned_data["usage_location"]:
            values["usage_location"] = self.cleaned_data["usage_location"]
        return values


class ChangeDomainForm(forms.Form):
    domain = forms.ChoiceField(label=_("New domain"),
                               help_text=_("Each selected user keeps the part before the @ and moves to this domain."))

    def __init__(self, *args, domains: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [(name, "@" + name) for name in domains]

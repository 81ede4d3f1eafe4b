"""Forms of the create-user wizard (SPEC users/ "Create a user"): validation and layout only, nothing is written."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model
from django.utils.translation import gettext as _t, gettext_lazy as _
from django_countries import countries

from billing.catalog import EMBARGOED_COUNTRIES, restricted_service_plan_ids
from tenantadmin.forms import apply_service_errors
from tenantadmin.roles import ROLE_DESCRIPTIONS, Role
from users.models import ALIAS_MAX_LENGTH, User
from users.password_services import MAX_NOTIFY_ADDRESSES, notify_addresses
from users.services import DETAIL_FIELDS, checked_upn

ADDITIONAL_FIELDS = DETAIL_FIELDS[2:]  # after first and last name: job title … country or region


def detail_fields() -> dict:
    """The CSV-table fields as form fields with the model's labels and SPEC lengths."""
    fields = fields_for_model(User, fields=list(DETAIL_FIELDS))
    fields["street"].widget = forms.Textarea(attrs={"rows": 2})
    fields["street"].widget.attrs["maxlength"] = User._meta.get_field("street").max_length
    return fields


def country_choices(blank_label=None):
    choices = list(countries)
    return [("", blank_label), *choices] if blank_label else choices


class DetailsForm(forms.Form):
    alias = forms.CharField(label=_("User name"), max_length=ALIAS_MAX_LENGTH,
                            help_text=_("The part before the @: letters, digits, dots, hyphens, underscores, apostrophes."),
                            widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}))
    domain = forms.ChoiceField(label=_("Domain"), help_text=_("One of your organization's verified domains."))
    display_name = forms.CharField(label=_("Display name"), max_length=256)

    def __init__(self, *args, tenant, domains: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["domain"].choices = [(name, "@" + name) for name in domains]
        if not self.is_bound and not self.initial.get("domain"):
            self.initial["domain"] = tenant.default_domain if tenant.default_domain in domains else tenant.initial_domain
        self.fields.update(detail_fields())
        order = ["first_name", "last_name", "display_name", "alias", "domain", *ADDITIONAL_FIELDS]
        self.order_fields(order)

    def clean(self):
        data = super().clean()
        if data.get("alias") and data.get("domain"):
            try:
                data["upn"] = checked_upn(tenant=self.tenant, alias=data["alias"], domain=data["domain"])
            except ValidationError as error:
                apply_service_errors(self, error)
        return data

    def additional(self):
        return [self[name] for name in ADDITIONAL_FIELDS]


class SettingsForm(forms.Form):
    role = forms.ChoiceField(label=_("Administrator role"), required=False, widget=forms.RadioSelect)
    alternate_email = forms.EmailField(
        label=_("Alternate e-mail address"), required=False, max_length=254,
        help_text=_("Required for administrators: an address outside the organization for password resets."))
    usage_location = forms.ChoiceField(
        label=_("User location"),
        help_text=_("The country or region where the person works. It decides which licenses and services may be "
                    "assigned."))

    def __init__(self, *args, may_assign_roles: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_assign_roles = may_assign_roles
        self.fields["role"].choices = [("", _("None (user)"))] + [(role.value, role.label) for role in Role]
        self.fields["usage_location"].choices = country_choices(_("Choose a country or region"))
        if not may_assign_roles:
            self.fields["role"].disabled = True
            self.fields["role"].help_text = _("Only a global administrator can give administrator roles.")

    def role_rows(self):
        return [{"value": value, "label": label, "description": ROLE_DESCRIPTIONS.get(value, "")}
                for value, label in self.fields["role"].choices]

    def clean(self):
        data = super().clean()
        if not self.may_assign_roles:
            data["role"] = ""
        if data.get("role") and not data.get("alternate_email"):
            self.add_error("alternate_email", _("Administrators need an alternate e-mail address."))
        return data


class LicensesForm(forms.Form):
    skus = forms.MultipleChoiceField(label=_("Licenses"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, units, location: str, **kwargs):
        super().__init__(*args, **kwargs)
        # A plan chosen earlier stays listed when its last unit went meanwhile, so the error can be shown on it.
        chosen = set(self.initial.get("skus", ()))
        self.units = [unit for unit in units if unit.free > 0 or str(unit.sku.pk) in chosen]
        self.location = location
        self.fields["skus"].choices = [(str(unit.sku.pk), unit.sku.name) for unit in self.units]

    def rows(self):
        """Each plan with free units, its free count and the services the user location does not allow."""
        chosen = set(self["skus"].value() or ())
        rows = []
        for unit in self.units:
            restricted = set(restricted_service_plan_ids(unit.sku.service_plans, self.location)) if self.location else set()
            rows.append({"unit": unit, "checked": str(unit.sku.pk) in chosen,
                         "restricted": [plan.get("displayName") or plan.get("servicePlanName")
                                        for plan in unit.sku.service_plans if plan["servicePlanId"] in restricted]})
        return rows

    def clean_skus(self):
        skus = self.cleaned_data["skus"]
        if skus and self.location in EMBARGOED_COUNTRIES:
            raise ValidationError(_("Licenses cannot be assigned to users located in %(country)s.") % {
                "country": dict(countries).get(self.location, self.location)})
        return skus


def split_addresses(text: str) -> list[str]:
    return [part for part in (text or "").replace(",", ";").split(";") if part.strip()]


class SendForm(forms.Form):
    send = forms.BooleanField(label=_("Send the results in e-mail"), required=False)
    notify = forms.CharField(
        label=_("E-mail addresses"), required=False, max_length=1300,
        widget=forms.TextInput(attrs={"placeholder": "someone@example.com; other@example.com", "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notify"].help_text = _t(
            "Up to %(max)d addresses separated by semicolons. The mail holds the user name and the temporary "
            "password.") % {"max": MAX_NOTIFY_ADDRESSES}

    def clean(self):
        data = super().clean()
        addresses = split_addresses(data.get("notify", ""))
        if data.get("send") and not addresses:
            self.add_error("notify", _("Enter at least one address, or clear “Send the results in e-mail”."))
            return data
        try:
            data["notify"] = notify_addresses(addresses) if data.get("send") else []
        except ValidationError as error:
            self.add_error("notify", error.message_dict["notify"])
        return data

"""The custom view form of the Users page: each filter is optional, the chosen ones are ANDed. Validation of the
values against the organization is the service's (the API sends the same values)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from tenantadmin.roles import Role
from users.custom_view_services import DEPARTMENT_MAX_LENGTH, FILTER_KEYS, NAME_MAX_LENGTH

ANY = [("", _("Any"))]


class CustomViewForm(forms.Form):
    name = forms.CharField(label=_("View name"), max_length=NAME_MAX_LENGTH,
                           help_text=_("Shown in the view list of the Users page for every administrator."))
    sku = forms.ChoiceField(label=_("Assigned license"), required=False,
                            help_text=_("Users who hold a license of this plan."))
    unlicensed = forms.BooleanField(label=_("Users without licenses"), required=False,
                                    help_text=_("Users who hold no license at all."))
    domain = forms.ChoiceField(label=_("Domain"), required=False, help_text=_("The domain of the user name."))
    department = forms.CharField(label=_("Department"), max_length=DEPARTMENT_MAX_LENGTH, required=False,
                                 help_text=_("The whole department name; case does not matter."))
    country = forms.ChoiceField(label=_("User location"), required=False,
                                help_text=_("The country or region that decides which licenses a user may get."))
    sign_in = forms.ChoiceField(label=_("Sign-in status"), required=False,
                                choices=ANY + [("allowed", _("Allowed")), ("blocked", _("Blocked"))])
    role = forms.ChoiceField(label=_("Role"), required=False, choices=ANY + list(Role.choices),
                             help_text=_("Users who hold this administrator role."))
    group = forms.ChoiceField(label=_("Member of security group"), required=False)

    def __init__(self, *args, skus, domains, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sku"].choices = ANY + list(skus)
        self.fields["domain"].choices = ANY + [(name, name) for name in domains]
        self.fields["country"].choices = ANY + list(countries)
        self.fields["group"].choices = ANY + list(groups)
        self.helper = FormHelper()
        self.helper.form_id = "custom-view-form"
        self.helper.layout = Layout(
            "name",
            Fieldset(_("Show users who match all of these"),
                     Div(Div("sku", css_class="col-md-6"), Div("unlicensed", css_class="col-md-6 pt-md-4"),
                         css_class="row"),
                     Div(Div("domain", css_class="col-md-6"), Div("department", css_class="col-md-6"), css_class="row"),
                     Div(Div("country", css_class="col-md-6"), Div("sign_in", css_class="col-md-6"), css_class="row"),
                     Div(Div("role", css_class="col-md-6"), Div("group", css_class="col-md-6"), css_class="row")),
            Submit("submit", _("Save view")),
        )

    def filters(self) -> dict:
        """The chosen filters, in CustomView.filters' keys (empty ones are dropped by the service)."""
        return {key: self.cleaned_data.get(key) for key in FILTER_KEYS}

    @staticmethod
    def initial_for(view) -> dict:
        return {"name": view.name, **(view.filters or {})}

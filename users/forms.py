"""Forms for sign-up and sign-in: input validation and layout only, no writes."""

from captcha.fields import CaptchaField
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from crispy_forms.bootstrap import AppendedText
from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from billing.selectors import trial_plans
from tenantadmin.initial_domain import check_label
from tenantadmin.languages import COMMUNICATION_LANGUAGES
from users.models import ALIAS_MAX_LENGTH
from users.passwords import PasswordPolicyValidator, policy_errors
from users.services import alias_errors


class SignUpForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=trial_plans(), empty_label=None, widget=forms.RadioSelect,
    )
    country = CountryField(blank=False).formfield(
        label=_("Country or region"),
        help_text=_("Decides currency, tax and where your data is kept. It cannot be changed later."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language for business communications"), choices=COMMUNICATION_LANGUAGES, initial="en",
    )
    first_name = forms.CharField(label=_("First name"), max_length=64)
    last_name = forms.CharField(label=_("Last name"), max_length=64)
    organization_name = forms.CharField(label=_("Organization name"), max_length=100)
    alternate_email = forms.EmailField(
        label=_("Your existing e-mail address"),
        help_text=_("Password resets, service, billing and offers are sent here. Use an address outside the new organization."),
    )
    initial_domain = forms.CharField(
        label=_("New domain name"), max_length=27,
        help_text=_("Your organization's address for sign-in and e-mail. It can never be changed."),
    )
    alias = forms.CharField(label=_("User name"), max_length=ALIAS_MAX_LENGTH,
                            help_text=_("You sign in as user-name@your-domain."))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(render_value=False),
                               help_text=PasswordPolicyValidator().get_help_text(), strip=False)
    password_confirm = forms.CharField(label=_("Confirm password"), widget=forms.PasswordInput(render_value=False), strip=False)
    captcha = CaptchaField(label=_("Type the characters you see"), help_text=_("This check keeps automated sign-ups out."))
    accept_agreement = forms.BooleanField(
        label=_("I accept the service agreement and the privacy statement."),
        error_messages={"required": _("You must accept the service agreement to continue.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        suffix = settings.INITIAL_DOMAIN_SUFFIX
        # Interpolated here, per request, so it is translated into the visitor's language.
        self.fields["plan"].help_text = _("A free %(days)d-day trial. You can buy licenses at any time.") % {
            "days": settings.TRIAL_DAYS}
        self.fields["plan"].label_from_instance = lambda sku: sku.name + (
            f" — {_('up to %(n)d users') % {'n': sku.max_seats}}" if sku.max_seats else "")
        self.fields["initial_domain"].widget.attrs.update({
            "hx-get": reverse_lazy("users:signup_check_domain"), "hx-trigger": "input changed delay:400ms, change",
            "hx-target": "#domain-availability", "autocomplete": "off", "spellcheck": "false",
        })
        self.helper = FormHelper()
        self.helper.form_id = "signup-form"
        self.helper.layout = Layout(
            Fieldset(_("Choose a plan"), "plan"),
            Fieldset(
                _("About you and your organization"),
                Div(Div("first_name", css_class="col-md-6"), Div("last_name", css_class="col-md-6"), css_class="row"),
                "organization_name",
                Div(Div("country", css_class="col-md-6"), Div("preferred_language", css_class="col-md-6"), css_class="row"),
                "alternate_email",
            ),
            Fieldset(
                _("Your new domain and user ID"),
                AppendedText("initial_domain", f".{suffix}"),
                HTML('<div id="domain-availability" class="mb-3 small" aria-live="polite"></div>'),
                AppendedText("alias", f"@…{suffix}"),
                Div(Div("password", css_class="col-md-6"), Div("password_confirm", css_class="col-md-6"), css_class="row"),
            ),
            Fieldset(_("Almost done"), "captcha", Field("accept_agreement")),
            Submit("submit", _("Create my account"), css_class="btn-lg"),
        )

    def clean_initial_domain(self):
        label, errors = check_label(self.cleaned_data["initial_domain"])
        if errors:
            raise forms.ValidationError(errors)
        return label

    def clean_alias(self):
        alias = self.cleaned_data["alias"].strip().lower()
        errors = alias_errors(alias)
        if errors:
            raise forms.ValidationError(errors)
        return alias

    def clean(self):
        data = super().clean()
        password, confirm = data.get("password"), data.get("password_confirm")
        if password:
            errors = policy_errors(password, data.get("alias", ""))
            if errors:
                self.add_error("password", errors)
            elif confirm is not None and password != confirm:
                self.add_error("password_confirm", _("The passwords do not match."))
        label, email = data.get("initial_domain"), data.get("alternate_email", "")
        if label and email.lower().endswith("@" + f"{label}.{settings.INITIAL_DOMAIN_SUFFIX}"):
            self.add_error("alternate_email", _("Use an address outside the new organization: you need it if you cannot sign in."))
        return data


class SignInForm(forms.Form):
    username = forms.CharField(label=_("User ID"), max_length=254,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True,
                                                             "placeholder": "someone@example.com"}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    keep_signed_in = forms.BooleanField(label=_("Keep me signed in"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "signin-form"
        self.helper.layout = Layout("username", "password", "keep_signed_in",
                                    Submit("submit", _("Sign in"), css_class="w-100 btn-lg"))

"""Forms of the core pages: validation and layout only."""

import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tenantadmin.api.permissions import APPLICATION_PERMISSIONS
from tenantadmin.languages import COMMUNICATION_LANGUAGES
from tenantadmin.models import ServiceSettings, Tenant


def posted_ids(values) -> list[uuid.UUID]:
    """The ids of the ticked check boxes of a list page; a mangled value selects nothing."""
    ids = []
    for value in values:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    return ids


def apply_service_errors(form, error: ValidationError) -> None:
    """Show a service's validation errors on the matching form fields (others on top)."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


def _helper(form_id: str, submit_label, *layout) -> FormHelper:
    helper = FormHelper()
    helper.form_id = form_id
    helper.layout = Layout(*layout, Submit("submit", submit_label))
    return helper


class OrganizationProfileForm(forms.ModelForm):
    default_domain = forms.ChoiceField(
        label=_("Default domain"),
        help_text=_("Used for new user names and e-mail addresses. Any verified domain can be the default."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language preference"), choices=COMMUNICATION_LANGUAGES,
        help_text=_("Changes the language of future business communications only."),
    )

    class Meta:
        model = Tenant
        fields = ["name", "street", "city", "state", "postal_code", "phone", "technical_contact",
                  "preferred_language", "default_domain"]
        widgets = {"street": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, verified_domains: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_domain"].choices = [(name, name) for name in verified_domains]
        self.helper = _helper(
            "organization-form", _("Save"),
            Fieldset(_("Organization"), "name", "street",
                     Div(Div("city", css_class="col-md-5"), Div("state", css_class="col-md-4"),
                         Div("postal_code", css_class="col-md-3"), css_class="row"),
                     "phone"),
            Fieldset(_("Contacts and preferences"), "technical_contact", "preferred_language", "default_domain"),
        )


class ServiceSettingsForm(forms.ModelForm):
    class Meta:
        model = ServiceSettings
        fields = ["calendar_publishing_enabled", "mobile_email_enabled", "device_password_required",
                  "device_password_min_length", "device_password_alphanumeric", "device_inactivity_lock_minutes",
                  "device_wipe_after_failures", "lync_mobile_push_enabled"]
        widgets = {name: forms.NumberInput(attrs={"style": "max-width: 8rem"}) for name in (
            "device_password_min_length", "device_inactivity_lock_minutes", "device_wipe_after_failures")}

    DEVICE_OPTIONS = ("device_password_min_length", "device_password_alphanumeric",
                      "device_inactivity_lock_minutes", "device_wipe_after_failures")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The further password options are only offered once a password is required (SPEC);
        # the page shows or hides them as the box is ticked.
        self.fields["device_password_required"].widget.attrs["data-toggles"] = "device-password-options"
        self.helper = _helper(
            "service-settings-form", _("Save"),
            Fieldset(_("Email and calendar"), "calendar_publishing_enabled"),
            Fieldset(_("Mobile access"), "mobile_email_enabled", "device_password_required",
                     Div(*self.DEVICE_OPTIONS, css_id="device-password-options", css_class="ms-4 border-start ps-3")),
            Fieldset(_("Instant messaging"), "lync_mobile_push_enabled"),
        )

    def clean(self):
        data = super().clean()
        if not data.get("device_password_required"):
            # Options of a switched-off requirement are kept as they were, not re-validated.
            for name in self.DEVICE_OPTIONS:
                self.errors.pop(name, None)
                data[name] = getattr(self.instance, name)
        return data


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor"), required=False, max_length=100)
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        # Families ("user" = every "user.…" action) first, then the single actions.
        families = sorted({action.split(".", 1)[0] for action in actions if "." in action})
        self.fields["action"].choices = ([("", _("All actions"))] + [(f, f"{f}.*") for f in families]
                                         + [(a, a) for a in actions])

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data


def permission_choices():
    return [(name, f"{name} — {text}") for name, text in APPLICATION_PERMISSIONS.items()]


class AppRegistrationForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=120,
                                   help_text=_("A name people recognise, such as the script or product."))
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"), choices=permission_choices, widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("Grant only what the program needs. Changes apply to new and existing tokens at once."),
    )
    public_client_enabled = forms.BooleanField(
        label=_("Allow sign-in by people (public client)"), required=False,
        help_text=_("People of your organization may then get a token through this app with their own user ID "
                    "and password and act as themselves, within what their roles allow. Turning it off ends "
                    "their tokens at once."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("app-form", _("Save"), "display_name", "permissions", "public_client_enabled")


def secret_expiry_choices():
    # A callable, so the labels are translated per request rather than once at import.
    return [(m, _("in %(n)d months") % {"n": m}) for m in (3, 6, 12, settings.APP_SECRET_MAX_MONTHS)]


class AppSecretForm(forms.Form):
    display_name = forms.CharField(label=_("Description"), max_length=120, required=False)
    months = forms.TypedChoiceField(label=_("Expires"), coerce=int, initial=6, choices=secret_expiry_choices)

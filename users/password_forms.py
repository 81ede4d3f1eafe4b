"""Forms of the password pages: validation and layout only, the services write."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy as _

from users.password_services import (
    EXPIRY_WARNING_DAYS, MAX_EXPIRY_DAYS, MAX_NOTIFY_ADDRESSES, MIN_EXPIRY_DAYS, notify_addresses,
)
from users.passwords import PasswordPolicyValidator


def _helper(form_id: str, submit_label, *fields) -> FormHelper:
    helper = FormHelper()
    helper.form_id = form_id
    helper.layout = Layout(*fields, Submit("submit", submit_label))
    return helper


def _password_field(label, autocomplete: str, help_text=""):
    return forms.CharField(label=label, strip=False, help_text=help_text,
                           widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}))


class PasswordChangeForm(forms.Form):
    current_password = _password_field(_("Current password"), "current-password")
    new_password = _password_field(_("New password"), "new-password", PasswordPolicyValidator().get_help_text())
    confirm_password = _password_field(_("Confirm the new password"), "new-password")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = _helper("password-change-form", _("Change password"),
                              "current_password", "new_password", "confirm_password")
        self.helper.form_tag = False  # the page writes the form tag, with the hidden `next`

    def clean(self):
        data = super().clean()
        new, confirm = data.get("new_password"), data.get("confirm_password")
        if new:
            # Every broken rule at once, before the service checks them again.
            try:
                validate_password(new, self.user)
            except ValidationError as error:
                self.add_error("new_password", error.messages)
            if confirm is not None and new != confirm:
                self.add_error("confirm_password", _("The passwords do not match."))
        return data


class PasswordPolicyForm(forms.Form):
    passwords_expire = forms.TypedChoiceField(
        label=_("Passwords expire"), coerce=lambda value: value == "yes", widget=forms.RadioSelect,
        choices=[("yes", _("Yes")), ("no", _("No, passwords never expire"))],
    )
    password_expiry_days = forms.IntegerField(
        label=_("Days before passwords expire"), min_value=MIN_EXPIRY_DAYS, max_value=MAX_EXPIRY_DAYS, required=False,
        widget=forms.NumberInput(attrs={"style": "max-width: 8rem"}),
    )

    def __init__(self, *args, current_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_days = current_days
        # Formatted here, not at import, so the text is in the language of the request.
        self.fields["password_expiry_days"].help_text = gettext(
            "From %(min)d to %(max)d days. From %(warn)d days before a password expires, every sign-in tells the "
            "person how many days are left, with a link to change it. An expired password must be changed at the "
            "next sign-in.") % {"min": MIN_EXPIRY_DAYS, "max": MAX_EXPIRY_DAYS, "warn": EXPIRY_WARNING_DAYS}
        self.helper = _helper("password-policy-form", _("Save"), "passwords_expire", "password_expiry_days")

    def clean(self):
        data = super().clean()
        days_missing = data.get("password_expiry_days") is None
        if data.get("passwords_expire") and days_missing and "password_expiry_days" not in self.errors:
            self.add_error("password_expiry_days", _("Enter after how many days passwords expire."))
        elif data.get("passwords_expire") is False and days_missing:
            # Without expiry the number is not used; keep the one on record for when it is switched back on.
            self.errors.pop("password_expiry_days", None)
            data["password_expiry_days"] = self.current_days
        return data


class AdminPasswordResetForm(forms.Form):
    notify = forms.CharField(
        label=_("Send the temporary password to"), required=False, max_length=1300,
        widget=forms.TextInput(attrs={"placeholder": "someone@example.com; other@example.com", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notify"].help_text = gettext(
            "Optional: up to %(max)d e-mail addresses separated by semicolons.") % {"max": MAX_NOTIFY_ADDRESSES}
        self.helper = _helper("password-reset-form", _("Reset password"), "notify")

    def clean_notify(self):
        parts = self.cleaned_data["notify"].replace(",", ";").split(";")
        try:
            return notify_addresses(parts)
        except ValidationError as error:
            raise ValidationError(error.message_dict["notify"])

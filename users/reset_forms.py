"""Forms of the self-service password reset: input validation and layout only."""

from captcha.fields import CaptchaField
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from users.models import UPN_MAX_LENGTH
from users.passwords import PasswordPolicyValidator


def _helper(form_id: str, submit_label, *fields) -> FormHelper:
    helper = FormHelper()
    helper.form_id = form_id
    helper.layout = Layout(*fields, Submit("submit", submit_label, css_class="w-100"))
    return helper


class ResetStartForm(forms.Form):
    upn = forms.CharField(label=_("User ID"), max_length=UPN_MAX_LENGTH,
                          widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True,
                                                        "placeholder": "someone@example.com"}))
    captcha = CaptchaField(label=_("Type the characters you see"),
                           help_text=_("This check keeps automated requests out."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("reset-start-form", _("Next"), "upn", "captcha")


class ResetCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Security code"),
        validators=[RegexValidator(r"^[0-9]{6}$", _("The security code is six digits."))],
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 6,
                                      "autofocus": True}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("reset-code-form", _("Verify"), "code")


class ResetNewPasswordForm(forms.Form):
    new_password = forms.CharField(
        label=_("New password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
    )
    confirm_password = forms.CharField(label=_("Confirm new password"), strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request: the help text is translated into the visitor's language.
        self.fields["new_password"].help_text = PasswordPolicyValidator().get_help_text()
        self.helper = _helper("reset-new-form", _("Set password"), "new_password", "confirm_password")

    def clean(self):
        data = super().clean()
        password, confirm = data.get("new_password"), data.get("confirm_password")
        if password and confirm is not None and password != confirm:
            self.add_error("confirm_password", _("The passwords do not match."))
        return data

"""Forms of My profile: input checks and layout only; the services in profile_services validate again and write."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils.translation import get_language_info, gettext, gettext_lazy as _

from users.models import ContactPreferences
from users.photos import MAX_UPLOAD_BYTES
from users.profile_services import CONTACT_CHOICES, DISPLAY_NAME_MAX_LENGTH, EMAIL_MAX_LENGTH

TIME_ZONE_LIST_ID = "time-zone-names"


def _helper(form_id: str, url_name: str, submit_label, *layout) -> FormHelper:
    helper = FormHelper()
    helper.form_id = form_id
    helper.form_action = reverse_lazy(url_name)
    helper.layout = Layout(*layout, Submit("submit", submit_label, css_id=f"{form_id}-submit"))
    return helper


class DetailsForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"), max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text=_("How your name appears to others in the organization."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("profile-details-form", "users:profile_details", _("Save name"), "display_name")


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("New photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/gif,image/png,image/bmp"}),
        error_messages={"required": _("Choose a photo to upload.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request: a lazy text formatted at import would stay in the default language.
        self.fields["photo"].help_text = gettext(
            "A JPEG, GIF, PNG or BMP image of at most %(kb)d KB. It is shown at most 256 × 256 pixels."
        ) % {"kb": MAX_UPLOAD_BYTES // 1024}
        self.helper = _helper("profile-photo-form", "users:profile_photo", _("Upload photo"), "photo")


class RegionalForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Display language"), required=False,
        # Each language in its own name, so people find theirs whatever language the page is in.
        choices=[("", _("The language of my browser"))]
        + [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES],
        error_messages={"invalid_choice": _("Choose one of the offered languages.")},
        help_text=_("The language of the portal for you alone. It does not change your organization's language "
                    "preference, which decides the language of business communications."),
    )
    time_zone = forms.CharField(
        label=_("Time zone"), required=False, max_length=64,
        widget=forms.TextInput(attrs={"list": TIME_ZONE_LIST_ID, "autocomplete": "off", "spellcheck": "false",
                                      "placeholder": settings.TIME_ZONE}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].help_text = gettext(
            "Dates and times, such as service health times, are shown in this zone. Start typing a city, "
            "such as Amsterdam. Empty: %(default)s.") % {"default": settings.TIME_ZONE}
        self.helper = _helper("profile-regional-form", "users:profile_language", _("Save"),
                              Div(Div("language", css_class="col-md-6"), Div("time_zone", css_class="col-md-6"),
                                  css_class="row"))


class ContactForm(forms.ModelForm):
    class Meta:
        model = ContactPreferences
        fields = ["preferred_phone", "preferred_mobile", "preferred_email", *CONTACT_CHOICES]
        help_texts = {"preferred_email": _("Where product communications are sent. Empty: your alternate e-mail address.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "profile-contact-form", "users:profile_contact", _("Save contact preferences"),
            Fieldset(_("How to reach you"),
                     Div(Div("preferred_phone", css_class="col-md-6"), Div("preferred_mobile", css_class="col-md-6"),
                         css_class="row"),
                     "preferred_email"),
            Fieldset(_("Send me"), *[Field(name) for name in CONTACT_CHOICES]),
        )


class AlternateEmailForm(forms.Form):
    alternate_email = forms.EmailField(
        label=_("Alternate e-mail address"), max_length=EMAIL_MAX_LENGTH, required=False,
        error_messages={"invalid": _("Enter a valid e-mail address, such as name@example.com.")},
        help_text=_("An address outside your organization, used to reach you when you cannot sign in."),
    )

    def __init__(self, *args, is_admin: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if is_admin:
            field = self.fields["alternate_email"]
            field.required = True
            field.error_messages["required"] = _(
                "Administrators need an alternate e-mail address: password resets for administrators are sent there.")
            field.help_text = _("Required for administrators: your password reset link is sent here. "
                                "Use an address outside your organization.")
        self.helper = _helper("profile-alternate-email-form", "users:profile_alternate_email", _("Save address"),
                              "alternate_email")

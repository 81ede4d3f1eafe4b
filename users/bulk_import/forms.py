"""Forms of the bulk import wizard: validation and layout only; the services write."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext, gettext_lazy as _
from django_countries.fields import CountryField

from users.bulk_import.reading import max_upload_bytes
from users.password_services import MAX_NOTIFY_ADDRESSES, notify_addresses


def _helper(form_id: str, submit_label, *fields, multipart: bool = False) -> FormHelper:
    helper = FormHelper()
    helper.form_id = form_id
    if multipart:
        helper.attrs = {"enctype": "multipart/form-data"}
    helper.layout = Layout(*fields, Submit("submit", submit_label))
    return helper


class UploadForm(forms.Form):
    # Empty files reach the service, whose message says what the file must hold.
    file = forms.FileField(label=_("CSV file"), allow_empty_file=True, widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "A CSV file (comma-separated) of at most %(max)s with a header row and one user per row, in the columns "
            "of the blank template.") % {"max": filesizeformat(max_upload_bytes())}
        self.helper = _helper("import-upload-form", _("Upload and verify"), "file", multipart=True)


class SettingsForm(forms.Form):
    sign_in = forms.ChoiceField(
        label=_("Sign-in status"), widget=forms.RadioSelect, initial="allowed",
        choices=[("allowed", _("Allowed")), ("blocked", _("Blocked"))],
        help_text=_("Blocked users exist and may hold licenses, but cannot sign in until you allow it."))
    usage_location = CountryField(blank=False).formfield(
        label=_("User location"),
        help_text=_("Where all users of this file use the services. It decides which licenses and services "
                    "they may get."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("import-settings-form", _("Next"), "sign_in", "usage_location")


class LicensesForm(forms.Form):
    skus = forms.MultipleChoiceField(label=_("Licenses"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {str(units.sku.pk): units for units in choices}
        self.fields["skus"].choices = [
            (sku_id, gettext("%(plan)s (%(free)d of %(total)d free)")
             % {"plan": units.sku.name, "free": units.free, "total": units.total})
            for sku_id, units in self.units.items()]
        self.helper = _helper("import-licenses-form", _("Next"), "skus")

    def selected_skus(self):
        return [self.units[sku_id].sku for sku_id in self.cleaned_data["skus"]]


class SendResultsForm(forms.Form):
    notify = forms.CharField(
        label=_("Send the results to"), required=False, max_length=1300,
        widget=forms.TextInput(attrs={"placeholder": "someone@example.com; other@example.com", "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notify"].help_text = gettext(
            "Optional: up to %(max)d e-mail addresses separated by semicolons. The mail lists the new users with "
            "their temporary passwords.") % {"max": MAX_NOTIFY_ADDRESSES}
        self.helper = _helper("import-send-form", _("Create users"), "notify")

    def clean_notify(self):
        parts = self.cleaned_data["notify"].replace(",", ";").split(";")
        try:
            return notify_addresses(parts)
        except ValidationError as error:
            raise ValidationError(error.message_dict["notify"]) from None

"""Forms of the security group pages: validation and layout only (the services check names against the
organization's other groups)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from users.group_services import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH


class GroupForm(forms.Form):
    display_name = forms.CharField(
        label=_("Name"), max_length=NAME_MAX_LENGTH,
        help_text=_("Unique in your organization; names are compared without case."))
    description = forms.CharField(
        label=_("Description"), max_length=DESCRIPTION_MAX_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 3}), help_text=_("What the group is for, so other admins know."))

    def __init__(self, *args, submit_label=_("Save"), **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "group-form"
        self.helper.layout = Layout("display_name", "description", Submit("submit", submit_label))

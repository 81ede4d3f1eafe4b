"""Input of the partner pages: validation only, never a database write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.partner_services import MESSAGE_MAX_LENGTH


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Customer's e-mail address"), max_length=254,
        help_text=_("Send it to a global administrator of the customer: only a global administrator can accept."))
    message = forms.CharField(
        label=_("Message (optional)"), max_length=MESSAGE_MAX_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A few words the customer sees in the mail and on the authorization page."))

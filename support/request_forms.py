from django import forms
from django.utils.translation import gettext_lazy as _

from support.models_requests import ServiceRequest
from support.request_files import MAX_FILES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


_FILES_HELP = _("Up to %(count)s files: PDF, PNG, JPEG, GIF, plain text or CSV, ZIP. Only your organization's "
                "administrators and support staff can open them.") % {"count": MAX_FILES}


class ServiceRequestForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=ServiceRequest.Category.choices)
    title = forms.CharField(label=_("Title"), max_length=120, help_text=_("A short summary, e.g. “Enable POP access for all mailboxes”."))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000,
                                  help_text=_("What you need, for which users or mailboxes, and any error messages."))
    contact_email = forms.EmailField(label=_("Contact e-mail"), max_length=254,
                                     help_text=_("Replies and status changes are sent here."))
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=64, required=False)
    files = MultipleFileField(label=_("Attachments"), help_text=_FILES_HELP)


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message or note"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000,
                           required=False)
    files = MultipleFileField(label=_("Attachments"), help_text=_FILES_HELP)


class CloseForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, the issue is solved: close this request"), required=True)

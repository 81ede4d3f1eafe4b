"""Staff site: the service request queue (SPEC support/ "Support staff work the queue in the Django admin").

Staff filter the queue, assign a request, reply (the requester gets the reply by e-mail) and change the status.
Every write goes through support.request_services, so the organization's audit log shows it."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from support.models_requests import RequestAttachment, RequestMessage, ServiceRequest
from support.request_files import MAX_FILES, check_upload, stored_path
from support.request_forms import MultipleFileField
from support.request_services import staff_reply, staff_update
from tenantadmin.actors import Actor
from users.models import User


class ServiceRequestStaffForm(forms.ModelForm):
    reply = forms.CharField(label=_("Reply to the customer"), widget=forms.Textarea(attrs={"rows": 5}), required=False,
                            help_text=_("Sent to the requester by e-mail and shown in the conversation."))
    reply_files = MultipleFileField(label=_("Files with the reply"))

    class Meta:
        model = ServiceRequest
        fields = ("status", "assigned_to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = User.objects.filter(is_staff=True, tenant__isnull=True,
                                                                   deleted_at__isnull=True)

    def clean_reply_files(self):
        files = self.cleaned_data.get("reply_files") or []
        if len(files) > MAX_FILES:
            raise ValidationError(_("Attach at most %(count)s files at a time.") % {"count": MAX_FILES})
        for upload in files:
            check_upload(upload)  # the service checks again; this shows the error on the form
        return files

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reply_files") and not (cleaned.get("reply") or "").strip():
            self.add_error("reply", _("Write a reply to go with the files."))
        return cleaned


class RequestMessageInline(admin.TabularInline):
    model = RequestMessage
    extra = 0
    can_delete = False
    fields = ("created_at", "author_kind", "author_label", "body", "files")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("files"))
    def files(self, obj):
        return _file_links(obj.request_id, obj.attachments.all())


def _file_links(request_id, attachments):
    return format_html_join(", ", '<a href="{}">{}</a>', (
        (reverse("admin:support_servicerequest_attachment", args=[request_id, a.pk]), a.file_name)
        for a in attachments))


class ServiceRequestAdmin(admin.ModelAdmin):
    form = ServiceRequestStaffForm
    list_display = ("reference", "title", "tenant", "category", "status", "assigned_to", "created_at", "updated_at")
    list_select_related = ("tenant", "assigned_to")
    list_filter = ("status", "category", ("assigned_to", admin.RelatedOnlyFieldListFilter),
                   ("tenant", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "tenant__name", "tenant__initial_domain", "contact_email")
    readonly_fields = ("reference", "tenant", "category", "title", "description_text", "contact_email",
                       "contact_phone", "created_by_label", "created_at", "updated_at", "closed_at", "request_files")
    fieldsets = (
        (None, {"fields": ("reference", "tenant", "category", "title", "description_text", "request_files",
                           "contact_email", "contact_phone", "created_by_label", "created_at", "updated_at",
                           "closed_at")}),
        (_("Work on the request"), {"fields": ("status", "assigned_to", "reply", "reply_files")}),
    )
    inlines = [RequestMessageInline]
    actions = None  # bulk delete or edit would skip the service and the audit log
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # organizations open requests in their admin center

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("number"), ordering="number")
    def reference(self, obj):
        return obj.reference

    @admin.display(description=_("description"))
    def description_text(self, obj):
        return format_html('<div style="white-space: pre-wrap">{}</div>', obj.description)

    @admin.display(description=_("attachments"))
    def request_files(self, obj):
        return _file_links(obj.pk, obj.attachments.filter(message__isnull=True))

    def save_model(self, request, obj, form, change):
        actor = Actor.for_user(request.user)
        data = form.cleaned_data
        try:
            if data.get("reply", "").strip() or data.get("reply_files"):
                staff_reply(sr=obj, actor=actor, body=data.get("reply", ""), status=data["status"],
                            files=data.get("reply_files"))
                staff_update(sr=obj, actor=actor, status=data["status"], assigned_to=data["assigned_to"])
            else:
                staff_update(sr=obj, actor=actor, status=data["status"], assigned_to=data["assigned_to"])
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), level=messages.ERROR)

    def get_urls(self):
        return [path("<int:request_id>/files/<int:attachment_id>/", self.admin_site.admin_view(self.download),
                     name="support_servicerequest_attachment"), *super().get_urls()]

    def download(self, request, request_id, attachment_id):
        if not self.has_view_permission(request):
            raise Http404
        attachment = RequestAttachment.objects.filter(request_id=request_id, pk=attachment_id).first()
        if attachment is None:
            raise Http404
        try:
            handle = stored_path(attachment).open("rb")
        except OSError:
            raise Http404 from None
        response = FileResponse(handle, as_attachment=True, filename=attachment.file_name,
                                content_type=attachment.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        return response


admin.site.register(ServiceRequest, ServiceRequestAdmin)

"""Service requests in the admin center (SPEC support/ "Service requests")."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from support.models_requests import RequestAttachment, ServiceRequest
from support.request_files import stored_path
from support.request_forms import CloseForm, MessageForm, ServiceRequestForm
from support.request_selectors import request_list
from support.request_services import add_customer_message, close_request, create_request
from tenantadmin.access import require_perm, tenant_object_or_404
from tenantadmin.actors import Actor
from tenantadmin.paging import CursorError, keyset_page
from tenantadmin.roles import Perm

PAGE_SIZE = 50
ORDER = [("number", True)]


@require_perm(Perm.SUPPORT)
def requests_list(request):
    status = request.GET.get("status", "")
    qs = request_list(tenant=request.tenant, status=status)
    try:
        page = keyset_page(qs, order=ORDER, size=PAGE_SIZE, cursor=request.GET.get("after"), salt="support.requests")
    except CursorError:
        page = keyset_page(qs, order=ORDER, size=PAGE_SIZE, cursor=None, salt="support.requests")
    return render(request, "support/requests/list.html", {
        "page": page, "status": status, "statuses": ServiceRequest.Status.choices,
        "filter_query": urlencode({"status": status}) if status else "", "is_first_page": not request.GET.get("after")})


@require_perm(Perm.SUPPORT)
def request_new(request):
    initial = {"contact_email": request.user.alternate_email or request.user.upn,
               "contact_phone": getattr(request.user, "mobile_phone", "") or ""}
    form = ServiceRequestForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sr = create_request(tenant=request.tenant, actor=Actor.from_request(request), category=data["category"],
                                title=data["title"], description=data["description"],
                                contact_email=data["contact_email"], contact_phone=data["contact_phone"],
                                files=data["files"])
        except ValidationError as error:
            form.add_error("files", error)
        else:
            messages.success(request, _("Service request %(reference)s was sent to support.") % {"reference": sr.reference})
            return redirect("support:request", sr.pk)
    return render(request, "support/requests/new.html", {"form": form})


def _get(request, request_id):
    return tenant_object_or_404(ServiceRequest.objects.select_related("tenant"), request.tenant, pk=request_id)


@require_perm(Perm.SUPPORT)
def request_detail(request, request_id):
    sr = _get(request, request_id)
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            add_customer_message(sr=sr, actor=Actor.from_request(request), body=form.cleaned_data["body"],
                                 files=form.cleaned_data["files"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your message was added to %(reference)s.") % {"reference": sr.reference})
            return redirect("support:request", sr.pk)
    conversation = list(sr.messages.prefetch_related("attachments"))
    first_files = [a for a in sr.attachments.all() if a.message_id is None]
    return render(request, "support/requests/detail.html", {
        "sr": sr, "conversation": conversation, "first_files": first_files, "form": form})


@require_perm(Perm.SUPPORT)
def request_close(request, request_id):
    sr = _get(request, request_id)
    if not sr.is_open:
        messages.info(request, _("This request is already closed."))
        return redirect("support:request", sr.pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        close_request(sr=sr, actor=Actor.from_request(request))
        messages.success(request, _("%(reference)s is closed.") % {"reference": sr.reference})
        return redirect("support:request", sr.pk)
    return render(request, "support/requests/close.html", {"sr": sr, "form": form})


@require_perm(Perm.SUPPORT)
def attachment_download(request, request_id, attachment_id):
    sr = _get(request, request_id)
    attachment = RequestAttachment.objects.filter(request=sr, pk=attachment_id).first()
    if attachment is None:
        raise Http404(_("The item was not found."))
    try:
        handle = stored_path(attachment).open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The item was not found.")) from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.file_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response

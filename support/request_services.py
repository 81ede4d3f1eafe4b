"""Writes to service requests: each in one transaction, audited in the organization's log, mail after commit."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from support.models_requests import RequestAttachment, RequestMessage, ServiceRequest
from support.request_files import check_upload, store, stored_path_of
from support.request_notify import mail_customer, mail_staff
from tenantadmin.actors import Actor
from tenantadmin.models import Tenant
from tenantadmin.services.audit import audit_record

Status = ServiceRequest.Status


def _check_tenant(actor: Actor, tenant) -> None:
    if actor.tenant_id is not None and actor.tenant_id != tenant.pk:
        raise PermissionDenied(_("Your role does not allow this."))


def _checked_files(files) -> list[tuple[str, bytes, str]]:
    """Validate every file before anything is written (nothing half-written on a bad file)."""
    from support.request_files import MAX_FILES, safe_name
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise ValidationError(_("Attach at most %(count)s files at a time.") % {"count": MAX_FILES})
    checked = []
    for upload in files:
        data, content_type = check_upload(upload)
        checked.append((safe_name(upload.name), data, content_type))
    return checked


def _store_all(tenant_id, checked) -> list[tuple[str, str, str, int]]:
    """Write the files before the transaction: (name, storage path, content type, size)."""
    return [(name, store(tenant_id, data), content_type, len(data)) for name, data, content_type in checked]


def _discard(stored) -> None:
    """The transaction failed: remove the files it would have referenced (nothing half-written stays)."""
    for _name, relative, _type, _size in stored:
        stored_path_of(relative).unlink(missing_ok=True)


def _attach(sr, message, stored, label) -> list[RequestAttachment]:
    return [RequestAttachment.objects.create(
        request=sr, message=message, file_name=name, content_type=content_type, size=size,
        storage_path=relative, uploaded_by_label=label[:300]) for name, relative, content_type, size in stored]


def create_request(*, tenant, actor: Actor, category: str, title: str, description: str, contact_email: str,
                   contact_phone: str = "", files=None) -> ServiceRequest:
    _check_tenant(actor, tenant)
    checked = _checked_files(files)
    stored = _store_all(tenant.pk, checked)
    try:
        sr = _create(tenant, actor, category, title, description, contact_email, contact_phone, stored)
    except BaseException:
        _discard(stored)
        raise
    return sr


def _create(tenant, actor, category, title, description, contact_email, contact_phone, stored) -> ServiceRequest:
    with transaction.atomic():
        # The organization row serializes numbering so numbers stay gapless per organization.
        Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
        last = ServiceRequest.objects.filter(tenant=tenant).aggregate(n=Max("number"))["n"] or 0
        sr = ServiceRequest.objects.create(
            tenant=tenant, number=last + 1, category=category, title=title.strip(), description=description.strip(),
            contact_email=contact_email.strip(), contact_phone=contact_phone.strip(),
            created_by=actor.user, created_by_label=actor.label[:300])
        _attach(sr, None, stored, actor.label)
        audit_record(tenant=tenant, actor=actor, action="support.request_created", target=sr,
                     changes={"category": [None, category], "title": [None, sr.title],
                              "attachments": [None, [item[0] for item in stored]]})
        mail_staff(sr, event="new")
    return sr


def add_customer_message(*, sr: ServiceRequest, actor: Actor, body: str, files=None) -> RequestMessage:
    """The organization's admin replies or adds a note and files; a solved or waiting request goes back to support."""
    _check_tenant(actor, sr.tenant)
    checked = _checked_files(files)
    if not body.strip() and not checked:
        raise ValidationError(_("Write a message or attach a file."))
    stored = _store_all(sr.tenant_id, checked)
    try:
        return _customer_message(sr, actor, body, stored)
    except BaseException:
        _discard(stored)
        raise


def _customer_message(sr, actor, body, stored) -> RequestMessage:
    with transaction.atomic():
        sr = ServiceRequest.objects.select_for_update().get(pk=sr.pk)
        if sr.status == Status.CLOSED:
            raise ValidationError(_("This request is closed. Open a new request instead."))
        message = RequestMessage.objects.create(
            request=sr, author_kind=RequestMessage.AuthorKind.CUSTOMER, author=actor.user,
            author_label=actor.label[:300], body=body.strip())
        _attach(sr, message, stored, actor.label)
        changes = {"attachments": [None, [item[0] for item in stored]]}
        if sr.status in (Status.WAITING, Status.SOLVED):
            changes["status"] = [sr.status, Status.IN_PROGRESS]
            sr.status = Status.IN_PROGRESS
        sr.save(update_fields=["status", "updated_at"])
        audit_record(tenant=sr.tenant, actor=actor, action="support.request_message", target=sr, changes=changes)
        mail_staff(sr, event="reply", message=message)
    return message


def close_request(*, sr: ServiceRequest, actor: Actor) -> ServiceRequest:
    _check_tenant(actor, sr.tenant)
    with transaction.atomic():
        sr = ServiceRequest.objects.select_for_update().select_related("tenant").get(pk=sr.pk)
        if sr.status == Status.CLOSED:
            return sr
        before = sr.status
        sr.status, sr.closed_at = Status.CLOSED, timezone.now()
        sr.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record(tenant=sr.tenant, actor=actor, action="support.request_closed", target=sr,
                     changes={"status": [before, Status.CLOSED]})
        mail_customer(sr, event="status")
    return sr


def staff_reply(*, sr: ServiceRequest, actor: Actor, body: str, status: str | None = None, files=None) -> RequestMessage:
    """Support staff answer: the requester gets the reply by e-mail; the status may change at the same time."""
    checked = _checked_files(files)
    if not body.strip():
        raise ValidationError(_("Write a reply."))
    stored = _store_all(sr.tenant_id, checked)
    try:
        return _staff_message(sr, actor, body, status, stored)
    except BaseException:
        _discard(stored)
        raise


def _staff_message(sr, actor, body, status, stored) -> RequestMessage:
    with transaction.atomic():
        sr = ServiceRequest.objects.select_for_update().select_related("tenant").get(pk=sr.pk)
        message = RequestMessage.objects.create(
            request=sr, author_kind=RequestMessage.AuthorKind.STAFF, author=actor.user,
            author_label=_("Support"), body=body.strip())
        _attach(sr, message, stored, str(_("Support")))
        changes = {"attachments": [None, [item[0] for item in stored]]}
        if status and status != sr.status:
            changes["status"] = [sr.status, status]
            _set_status(sr, status)
        sr.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record(tenant=sr.tenant, actor=actor, action="support.request_staff_reply", target=sr, changes=changes)
        mail_customer(sr, event="reply", message=message)
    return message


def _set_status(sr, status):
    sr.status = status
    sr.closed_at = timezone.now() if status == Status.CLOSED else None


def staff_update(*, sr: ServiceRequest, actor: Actor, status: str, assigned_to) -> ServiceRequest:
    """Staff change the status or the assignee (the staff site's change form); a status change is mailed."""
    with transaction.atomic():
        current = ServiceRequest.objects.select_for_update().select_related("tenant").get(pk=sr.pk)
        changes = {}
        if status != current.status:
            changes["status"] = [current.status, status]
            _set_status(current, status)
        if (assigned_to.pk if assigned_to else None) != current.assigned_to_id:
            changes["assigned_to"] = [str(current.assigned_to or ""), str(assigned_to or "")]
            current.assigned_to = assigned_to
        if not changes:
            return current
        current.save(update_fields=["status", "closed_at", "assigned_to", "updated_at"])
        audit_record(tenant=current.tenant, actor=actor, action="support.request_staff_update", target=current,
                     changes=changes)
        if "status" in changes:
            mail_customer(current, event="status")
    return current

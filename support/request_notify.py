"""Service request mail: the requester (and the organization's admins who wrote in the conversation) on every
staff reply and status change; support staff (settings.SUPPORT_STAFF_EMAIL, optional) on new requests and
customer replies."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tenantadmin.mail import mail_after_commit


def requester_addresses(sr) -> list[str]:
    addresses = [sr.contact_email]
    people = {m.author for m in sr.messages.select_related("author").filter(author_kind="customer")
              if m.author is not None and m.author.tenant_id == sr.tenant_id}
    if sr.created_by is not None and sr.created_by.tenant_id == sr.tenant_id:
        people.add(sr.created_by)
    for person in people:
        if person.deleted_at is None and person.alternate_email:
            addresses.append(person.alternate_email)
    return addresses


def mail_customer(sr, *, event: str, message=None) -> None:
    """`event`: "reply" (staff wrote) or "status" (the status changed)."""
    with translation.override(sr.tenant.preferred_language or "en"):
        if event == "reply":
            subject = str(_("Support replied to %(reference)s: %(title)s")) % {"reference": sr.reference,
                                                                              "title": sr.title}
        else:
            subject = str(_("%(reference)s is now %(status)s")) % {"reference": sr.reference,
                                                                  "status": sr.get_status_display()}
    mail_after_commit(to=requester_addresses(sr), subject=subject, template="support/requests/mail/update",
                      context={"sr": sr, "message": message, "event": event, "tenant": sr.tenant},
                      language=sr.tenant.preferred_language, tenant=sr.tenant, category="service")


def mail_staff(sr, *, event: str, message=None) -> None:
    address = getattr(settings, "SUPPORT_STAFF_EMAIL", "")
    if not address:
        return
    subject = (f"New service request {sr.reference} from {sr.tenant.name}: {sr.title}" if event == "new"
               else f"Customer replied to {sr.reference} ({sr.tenant.name}): {sr.title}")
    mail_after_commit(to=[address], subject=subject, template="support/requests/mail/staff",
                      context={"sr": sr, "message": message, "event": event}, language="en")

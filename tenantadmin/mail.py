"""Product mail: rendered from a text and an HTML template, sent by a Celery task after commit.

Every mail carries an unsubscribe link for its recipient (SPEC users/ "My profile"), so a mail is
rendered once per recipient. The link holds a signed token naming the organization, the address and
the kind of mail; it works without signing in and stays valid (an unsubscribe link must not expire).
"""

from functools import partial

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent, MailSuppression, Tenant
from tenantadmin.services.audit import audit_record

Category = MailSuppression.Category
UNSUBSCRIBE_SALT = "tenantadmin.unsubscribe"
# Account mail (sign-in, reset links, temporary passwords) is always sent: the person needs it.
# Its link stops every other kind instead.
ESSENTIAL = Category.ACCOUNT
OPTIONAL_CATEGORIES = [c for c in Category if c != ESSENTIAL]


class InvalidUnsubscribeLink(Exception):
    pass


def mail_after_commit(*, to: list[str], subject: str, template: str, context: dict, language: str = "en",
                      tenant=None, category: str = "account") -> None:
    """Render `template`.txt/.html in `language` now and send once the transaction commits.

    `category` is a MailSuppression.Category; `tenant` scopes the unsubscribe link every mail carries
    (without it the mail has no link and nothing is suppressed). Addresses that unsubscribed from
    `category` are skipped, except for account mail.
    """
    from tenantadmin.tasks import send_mail_task  # tasks import services; keep the import lazy

    category = Category(category)
    unique: dict[str, str] = {}  # one message per address, however it is spelled
    for address in to:
        if address and address.strip():
            unique.setdefault(address.strip().lower(), address.strip())
    recipients = list(unique.items())
    if tenant is not None and category != ESSENTIAL and recipients:
        suppressed = set(MailSuppression.objects.filter(
            tenant=tenant, category=category, email__in=[key for key, _address in recipients],
        ).values_list("email", flat=True))
        recipients = [(key, address) for key, address in recipients if key not in suppressed]
    with translation.override(language):
        subject = str(subject)
        for _key, address in recipients:
            url = unsubscribe_url(tenant, address, category) if tenant is not None else ""
            full_context = {"product_name": settings.PRODUCT_NAME, "public_url": settings.PUBLIC_URL, **context,
                            "unsubscribe_url": url, "mail_is_essential": category == ESSENTIAL}
            text = render_to_string(f"{template}.txt", full_context)
            html = render_to_string(f"{template}.html", full_context)
            headers = {}
            if url:
                # RFC 2369 and RFC 8058: mail programs show their own unsubscribe button and POST to the URL.
                headers = {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
            transaction.on_commit(partial(send_mail_task.delay, [address], subject, text, html, headers))


def unsubscribe_token(tenant, email: str, category: str) -> str:
    return signing.dumps({"t": str(tenant.pk), "e": email.lower(), "c": str(category)}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(tenant, email: str, category: str) -> str:
    return settings.PUBLIC_URL + reverse("tenantadmin:unsubscribe", args=[unsubscribe_token(tenant, email, category)])


def unsubscribe_read(token: str) -> tuple[Tenant, str, str]:
    """(organization, address, category) of a link, or InvalidUnsubscribeLink for a tampered or stale one."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        tenant_id, email, category = payload["t"], payload["e"], Category(payload["c"])
        tenant = Tenant.objects.filter(pk=tenant_id).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError, ValidationError):
        raise InvalidUnsubscribeLink
    if tenant is None or not isinstance(email, str) or "@" not in email:
        raise InvalidUnsubscribeLink  # the organization was closed since the mail was sent
    return tenant, email, category


def categories_stopped_by(category: str) -> list:
    """What the link of a mail of `category` unsubscribes from."""
    return list(OPTIONAL_CATEGORIES) if category == ESSENTIAL else [Category(category)]


def mail_suppressed_categories(*, tenant, email: str) -> set[str]:
    return set(MailSuppression.objects.filter(tenant=tenant, email=email.lower()).values_list("category", flat=True))


@transaction.atomic
def mail_unsubscribe(*, tenant, email: str, category: str, ip_address: str | None = None) -> list[str]:
    """Stop the mail the link of a `category` mail covers for `email` in `tenant`; returns what was new."""
    email = email.lower()
    wanted = categories_stopped_by(category)
    new = [c for c in wanted if c not in mail_suppressed_categories(tenant=tenant, email=email)]
    # ignore_conflicts: a second click racing the first must not fail.
    MailSuppression.objects.bulk_create(
        [MailSuppression(tenant=tenant, email=email, category=c) for c in new], ignore_conflicts=True)
    if new:
        actor = Actor(kind=AuditEvent.ActorType.SYSTEM, label=f"unsubscribe link of {email}", ip_address=ip_address)
        audit_record(tenant=tenant, actor=actor, action="mail.unsubscribe", target_type="mail_suppression",
                     target_label=email, changes={"categories": [[], [str(c) for c in new]]})
    return [str(c) for c in new]

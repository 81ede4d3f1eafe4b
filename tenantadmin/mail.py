"""Product mail: rendered from a text and an HTML template, sent by a Celery task after commit."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def mail_after_commit(*, to: list[str], subject: str, template: str, context: dict, language: str = "en",
                      tenant=None, category: str = "account") -> None:
    """Render `template`.txt/.html in `language` now and send once the transaction commits.

    `category` is a MailSuppression.Category; `tenant` scopes the unsubscribe link every mail carries.
    """
    from tenantadmin.tasks import send_mail_task  # tasks import services; keep the import lazy

    recipients = [address for address in to if address]
    if not recipients:
        return
    full_context = {"product_name": settings.PRODUCT_NAME, "public_url": settings.PUBLIC_URL, **context}
    with translation.override(language):
        text = render_to_string(f"{template}.txt", full_context)
        html = render_to_string(f"{template}.html", full_context)
        subject = str(subject)
    transaction.on_commit(lambda: send_mail_task.delay(recipients, subject, text, html))

"""Text messages (security codes) through a pluggable backend chosen by SMS_BACKEND.

- FileBackend (default): one file per message under SMS_FILE_PATH, like Django's file mail backend.
- ConsoleBackend: prints the message (development).
- HttpBackend: posts JSON {"to", "body"} to SMS_HTTP_URL with a bearer token, for a real gateway.
- LocmemBackend: keeps messages in `tenantadmin.sms.outbox` (tests).
"""

import json
import sys
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

outbox: list["TextMessage"] = []


@dataclass(frozen=True)
class TextMessage:
    to: str
    body: str


class SmsError(Exception):
    """The message could not be handed to the gateway."""


class FileBackend:
    def send(self, message: TextMessage) -> None:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.json"
        (folder / name).write_text(json.dumps({"to": message.to, "body": message.body}), encoding="utf-8")


class ConsoleBackend:
    def send(self, message: TextMessage) -> None:
        sys.stdout.write(f"SMS to {message.to}: {message.body}\n")


class LocmemBackend:
    def send(self, message: TextMessage) -> None:
        outbox.append(message)


class HttpBackend:
    timeout_seconds = 10

    def send(self, message: TextMessage) -> None:
        if not settings.SMS_HTTP_URL:
            raise SmsError("SMS_HTTP_URL is not set.")
        request = urllib.request.Request(
            settings.SMS_HTTP_URL, data=json.dumps({"to": message.to, "body": message.body}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
                if not 200 <= response.status < 300:
                    raise SmsError(f"The SMS gateway answered {response.status}.")
        except OSError as error:
            raise SmsError(f"The SMS gateway could not be reached: {error}") from error


def send_sms(to: str, body: str) -> None:
    """Send one text message through the configured backend."""
    import_string(settings.SMS_BACKEND)().send(TextMessage(to=to, body=body))

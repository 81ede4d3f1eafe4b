"""Helpers for service request tests."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from support.request_services import create_request
from tenantadmin.actors import Actor

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20
GIF = b"GIF89a" + b"\x00" * 20


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hello")
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def open_request(org, *, by=None, title="Enable POP access", files=None, email="requester@example.net"):
    person = by or org.global_admin
    return create_request(tenant=org.tenant, actor=Actor.for_user(person), category="enable_pop", title=title,
                          description="For all mailboxes, please.", contact_email=email, files=files or [])

"""Service request attachments: size limit, type detected from the CONTENT (never the name or the browser's
claim), storage under PRIVATE_FILES_ROOT (outside the web root)."""

import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5

# (magic prefix, content type, file extension)
_MAGIC = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
    (b"PK\x03\x04", "application/zip", ".zip"),
    (b"PK\x05\x06", "application/zip", ".zip"),  # an empty archive
]


def max_bytes() -> int:
    return int(getattr(settings, "SUPPORT_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def detect_type(data: bytes) -> str | None:
    """The allowed content type of `data`, or None when it is not one of the allowed kinds."""
    for magic, content_type, _ext in _MAGIC:
        if data.startswith(magic):
            if content_type == "application/zip":
                return content_type if _is_zip(data) else None
            return content_type
    if b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain"


def _is_zip(data: bytes) -> bool:
    import io
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.infolist()
        return True
    except zipfile.BadZipFile:
        return False


def safe_name(name: str) -> str:
    """The base name without path parts or control characters, at most 255 characters."""
    base = Path(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|*?:').strip() or "attachment"
    return cleaned[-255:]


def check_upload(upload) -> tuple[bytes, str]:
    """Read an UploadedFile and return (data, content type), or raise ValidationError with a clear message."""
    limit = max_bytes()
    upload.seek(0)
    if upload.size is not None and upload.size > limit:
        raise ValidationError(_("%(name)s is larger than the limit of %(limit)s MB.")
                              % {"name": safe_name(upload.name), "limit": round(limit / 1024 / 1024, 1)})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("%(name)s is larger than the limit of %(limit)s MB.")
                              % {"name": safe_name(upload.name), "limit": round(limit / 1024 / 1024, 1)})
    if not data:
        raise ValidationError(_("%(name)s is empty.") % {"name": safe_name(upload.name)})
    content_type = detect_type(data)
    if content_type is None:
        raise ValidationError(_("%(name)s is not an allowed file type. Attach PDF, PNG, JPEG, GIF, plain text or CSV "
                                "(UTF-8) or ZIP files.") % {"name": safe_name(upload.name)})
    return data, content_type


def store(tenant_id, data: bytes) -> str:
    """Write `data` under PRIVATE_FILES_ROOT/support/<tenant>/ and return the path relative to the root."""
    relative = Path("support") / str(tenant_id) / uuid.uuid4().hex
    target = settings.PRIVATE_FILES_ROOT / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return str(relative)


def stored_path_of(relative: str) -> Path:
    """The file under PRIVATE_FILES_ROOT; a path leaving the root is refused."""
    root = Path(settings.PRIVATE_FILES_ROOT).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise FileNotFoundError(relative)
    return path


def stored_path(attachment) -> Path:
    return stored_path_of(attachment.storage_path)

"""Profile photos: decide the type by the real content, re-encode, and find a person's current photo.

A photo is never kept as uploaded: decoding and encoding it again drops EXIF (camera, GPS),
comments and anything hidden after the image data, and makes the stored file one we wrote.
"""

import io
import warnings

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 100 * 1024  # SPEC users/ "My profile": at most 100 KB
ACCEPTED_FORMATS = {"JPEG", "GIF", "PNG", "BMP"}
# 100 KB of PNG or GIF can declare a gigapixel canvas; refuse before decoding anything that large.
MAX_SIDE = 4000
STORED_SIZE = (256, 256)
JPEG_QUALITY = 85
_VERSION_CACHE_SECONDS = 300


def prepare_photo(upload) -> tuple[bytes, str]:
    """(bytes, content type) of the cleaned photo, or a ValidationError saying what is wrong."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(too_large_message(), code="too_large")
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(too_large_message(), code="too_large")
    try:
        with warnings.catch_warnings():
            # Pillow only warns below its own (much higher) bomb limit; treat that as a refusal too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = _cleaned(_open_checked(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_too_many_pixels_message(), code="pixels")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        # Pillow reports a broken or hostile file through any of these.
        raise ValidationError(_("The file is not a readable JPEG, GIF, PNG or BMP image."), code="unreadable")
    return _encoded(image)


def too_large_message() -> str:
    return _("The photo can be at most %(kb)d KB.") % {"kb": MAX_UPLOAD_BYTES // 1024}


def _too_many_pixels_message() -> str:
    return _("The image has too many pixels: at most %(side)d × %(side)d.") % {"side": MAX_SIDE}


def _open_checked(data: bytes) -> Image.Image:
    probe = Image.open(io.BytesIO(data))  # reads the header only
    if probe.format not in ACCEPTED_FORMATS:
        raise ValidationError(_("Use a JPEG, GIF, PNG or BMP image."), code="format")
    width, height = probe.size
    if width * height > MAX_SIDE * MAX_SIDE:
        raise ValidationError(_too_many_pixels_message(), code="pixels")
    probe.verify()
    # verify() leaves the image unusable; decode it again from the start.
    image = Image.open(io.BytesIO(data))
    image.seek(0)  # the first frame of an animated GIF
    image.load()
    return image


def _cleaned(image: Image.Image) -> Image.Image:
    # Phones store the camera's orientation in EXIF; apply it before EXIF is dropped.
    image = ImageOps.exif_transpose(image)
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if transparent else "RGB")
    image.thumbnail(STORED_SIZE, Image.Resampling.LANCZOS)
    # A fresh image carries pixels only: convert() copies info (ICC profile, comments, EXIF).
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _encoded(image: Image.Image) -> tuple[bytes, str]:
    out = io.BytesIO()
    if image.mode == "RGBA":
        image.save(out, format="PNG", optimize=True)
        return out.getvalue(), "image/png"
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue(), "image/jpeg"


class PhotoUploadHandler(FileUploadHandler):
    """Stops keeping an upload once it passes the limit, so a huge file never fills memory or disk."""

    def __init__(self, request=None):
        super().__init__(request)
        self.refused = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > MAX_UPLOAD_BYTES:
            self.refused = True
            raise SkipFile
        return raw_data  # the next handler (memory or temporary file) keeps it

    def file_complete(self, file_size):
        return None


# --- Where the photo is shown -------------------------------------------------------------------

def _version_key(user_id) -> str:
    return f"users:photo-version:{user_id}"


def photo_url(user) -> str:
    """The photo's URL with a version that changes on every upload, or "" when there is none.

    The version comes from the cache, so a page costs no query for it; on a miss one small query
    refreshes it. The services forget it on every change; the short expiry bounds how long a
    process with its own (local-memory) cache can lag behind.
    """
    from users.models import UserPhoto

    version = cache.get(_version_key(user.pk))
    if version is None:
        updated_at = UserPhoto.objects.filter(user_id=user.pk).values_list("updated_at", flat=True).first()
        version = int(updated_at.timestamp() * 1000) if updated_at else 0
        cache.set(_version_key(user.pk), version, _VERSION_CACHE_SECONDS)
    if not version:
        return ""
    return f"{reverse('users:photo', args=[user.pk])}?v={version}"


def photo_urls(*, tenant, users) -> dict:
    """{user id: photo URL or ""} for a page of users: the cached versions in one cache call, the missing
    ones in one query, so a page's cost does not grow with its rows whatever the cache holds."""
    from users.models import UserPhoto

    keys = {_version_key(user.pk): user.pk for user in users}
    cached = cache.get_many(list(keys))
    missing = [user_id for key, user_id in keys.items() if key not in cached]
    if missing:
        stamps = dict(UserPhoto.objects.filter(tenant=tenant, user_id__in=missing).values_list("user_id", "updated_at"))
        cache.set_many({_version_key(user_id): int(stamps[user_id].timestamp() * 1000) if user_id in stamps else 0
                        for user_id in missing}, _VERSION_CACHE_SECONDS)
    # photo_url now finds every version in the cache and builds the URL the same way as everywhere else.
    return {user.pk: photo_url(user) for user in users}


def forget_photo_version(user_id) -> None:
    cache.delete(_version_key(user_id))

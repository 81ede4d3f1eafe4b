"""Profile photos: the real content decides, metadata is stripped, size and pixels are bounded,
and only members of the same organization can see a photo."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from users.models import UserPhoto
from users.profile_services import profile_photo_set

pytestmark = pytest.mark.django_db

UPLOAD = reverse("users:profile_photo")


def image_bytes(fmt: str, size=(40, 30), mode="RGB", color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()


def noise_png(side: int) -> bytes:
    """A PNG that does not compress: `side`² random RGB pixels."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, format="PNG")
    return out.getvalue()


def upload(client, content: bytes, name="photo.png", content_type="image/png"):
    return client.post(UPLOAD, {"photo": SimpleUploadedFile(name, content, content_type=content_type)})


def stored(user) -> Image.Image:
    photo = UserPhoto.objects.get(user=user)
    return Image.open(io.BytesIO(bytes(photo.content)))


def photo_error(response) -> str:
    assert response.status_code == 200
    return " ".join(response.context["photo_form"].errors["photo"])


@pytest.mark.parametrize("fmt, content_type", [("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("PNG", "image/png"),
                                               ("BMP", "image/bmp")])
def test_jpeg_gif_png_and_bmp_are_accepted_and_re_encoded(fmt, content_type, org_a, client_for):
    response = upload(client_for(org_a.user), image_bytes(fmt), f"me.{fmt.lower()}", content_type)

    assert response.status_code == 302 and response["Location"] == reverse("users:profile")
    photo = UserPhoto.objects.get(user=org_a.user)
    assert photo.tenant_id == org_a.tenant.pk
    assert photo.content_type == "image/jpeg"  # no transparency: stored as JPEG whatever came in
    image = stored(org_a.user)
    assert image.format == "JPEG" and image.size == (40, 30)
    [event] = AuditEvent.objects.filter(action="user.profile_update", target_id=str(org_a.user.pk))
    assert event.changes == {"photo": [None, "image/jpeg"]}


def test_transparency_is_kept_as_png(org_a, client_for):
    upload(client_for(org_a.user), image_bytes("PNG", mode="RGBA", color=(0, 0, 255, 0)))
    assert UserPhoto.objects.get(user=org_a.user).content_type == "image/png"
    image = stored(org_a.user)
    assert image.format == "PNG" and image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0


def test_large_images_are_shrunk_to_256_pixels(org_a, client_for):
    upload(client_for(org_a.user), image_bytes("PNG", size=(1200, 600)))
    assert stored(org_a.user).size == (256, 128)


def test_exif_is_removed(org_a, client_for):
    exif = Image.Exif()
    exif[0x010F] = "SpyCamera Inc"  # Make
    exif[0x8825] = {2: (52.0, 22.0, 0.0)}  # GPS latitude
    original = image_bytes("JPEG", exif=exif.tobytes())
    assert b"Exif" in original and b"SpyCamera" in original

    upload(client_for(org_a.user), original, "holiday.jpg", "image/jpeg")

    content = bytes(UserPhoto.objects.get(user=org_a.user).content)
    assert b"Exif" not in content and b"SpyCamera" not in content
    assert not dict(Image.open(io.BytesIO(content)).getexif())


def test_exif_orientation_is_applied_before_it_is_dropped(org_a, client_for):
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: rotate 90° clockwise to view
    upload(client_for(org_a.user), image_bytes("JPEG", size=(40, 20), exif=exif.tobytes()), "tall.jpg", "image/jpeg")
    assert stored(org_a.user).size == (20, 40)


def test_a_file_over_100_kb_is_refused(org_a, client_for):
    content = noise_png(200)
    assert 101 * 1024 <= len(content) < 130 * 1024
    response = upload(client_for(org_a.user), content)
    assert photo_error(response) == "The photo can be at most 100 KB."
    assert not UserPhoto.objects.filter(user=org_a.user).exists()


def test_the_service_refuses_an_oversized_file_too(org_a):
    from django.core.exceptions import ValidationError

    big = SimpleUploadedFile("big.png", noise_png(200), content_type="image/png")
    with pytest.raises(ValidationError) as error:
        profile_photo_set(user=org_a.user, actor=Actor.for_user(org_a.user), upload=big)
    assert "at most 100 KB" in " ".join(error.value.message_dict["photo"])


def test_exactly_100_kb_is_not_refused_for_its_size(org_a, client_for):
    content = image_bytes("PNG")
    padded = content + b"\0" * (100 * 1024 - len(content))  # bytes after the PNG end are ignored, then dropped
    response = upload(client_for(org_a.user), padded)
    assert response.status_code == 302
    assert len(bytes(UserPhoto.objects.get(user=org_a.user).content)) < 10 * 1024


def test_a_text_file_named_png_is_refused(org_a, client_for):
    response = upload(client_for(org_a.user), b"just some text, honestly an image\n" * 20, "photo.png", "image/png")
    assert "not a readable JPEG, GIF, PNG or BMP image" in photo_error(response)
    assert not UserPhoto.objects.filter(user=org_a.user).exists()


def test_a_png_named_jpg_is_accepted_because_the_content_decides(org_a, client_for):
    response = upload(client_for(org_a.user), image_bytes("PNG", mode="RGBA", color=(1, 2, 3, 128)), "me.jpg",
                      "image/jpeg")
    assert response.status_code == 302
    assert stored(org_a.user).format == "PNG"


@pytest.mark.parametrize("fmt", ["TIFF", "WEBP", "ICO"])
def test_other_real_image_types_are_refused(fmt, org_a, client_for):
    response = upload(client_for(org_a.user), image_bytes(fmt), "me.png", "image/png")
    assert "Use a JPEG, GIF, PNG or BMP image." in photo_error(response)


def test_a_truncated_image_is_refused(org_a, client_for):
    content = image_bytes("PNG", size=(100, 100))
    response = upload(client_for(org_a.user), content[: len(content) // 2])
    assert "not a readable" in photo_error(response)


def test_an_image_bomb_is_refused_before_it_is_decoded(org_a, client_for):
    bomb = image_bytes("PNG", size=(5000, 5000), mode="1", color=0)  # 25 megapixels in a few KB
    assert len(bomb) < 100 * 1024
    response = upload(client_for(org_a.user), bomb)
    assert "too many pixels" in photo_error(response)
    assert not UserPhoto.objects.filter(user=org_a.user).exists()


def test_an_upload_without_a_file_asks_for_one(org_a, client_for):
    response = client_for(org_a.user).post(UPLOAD, {})
    assert photo_error(response) == "Choose a photo to upload."


def test_a_new_photo_replaces_the_old_one(org_a, client_for):
    client = client_for(org_a.user)
    upload(client, image_bytes("JPEG"), "a.jpg", "image/jpeg")
    upload(client, image_bytes("PNG", mode="RGBA", color=(0, 0, 0, 0)))
    assert UserPhoto.objects.filter(user=org_a.user).count() == 1
    assert UserPhoto.objects.get(user=org_a.user).content_type == "image/png"
    event = AuditEvent.objects.filter(action="user.profile_update", target_id=str(org_a.user.pk)).first()
    assert event.changes == {"photo": ["image/jpeg", "image/png"]}


def test_remove_photo(org_a, client_for):
    client = client_for(org_a.user)
    upload(client, image_bytes("PNG"))
    photo_url = reverse("users:photo", args=[org_a.user.pk])
    assert client.get(photo_url).status_code == 200

    response = client.post(reverse("users:profile_photo_remove"), follow=True)

    assert "Your photo was removed." in response.content.decode()
    assert not UserPhoto.objects.filter(user=org_a.user).exists()
    assert client.get(photo_url).status_code == 404
    assert client.get(reverse("users:profile_photo_remove")).status_code == 405  # removing needs a POST


# --- Who sees a photo ----------------------------------------------------------------------------

def test_the_photo_is_served_with_safe_headers(org_a, client_for):
    client = client_for(org_a.user)
    upload(client, image_bytes("PNG"))
    response = client.get(reverse("users:photo", args=[org_a.user.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private, max-age=")
    assert Image.open(io.BytesIO(response.content)).format == "JPEG"


def test_a_colleague_in_the_same_organization_sees_the_photo(org_a, client_for):
    upload(client_for(org_a.user), image_bytes("PNG"))
    response = client_for(org_a.billing_admin).get(reverse("users:photo", args=[org_a.user.pk]))
    assert response.status_code == 200


def test_another_organization_gets_404_for_a_photo(org_a, org_b, client_for):
    upload(client_for(org_a.user), image_bytes("PNG"))
    response = client_for(org_b.global_admin).get(reverse("users:photo", args=[org_a.user.pk]))
    assert response.status_code == 404


def test_no_photo_is_a_404(org_a, client_for):
    assert client_for(org_a.user).get(reverse("users:photo", args=[org_a.global_admin.pk])).status_code == 404


def test_the_header_shows_the_photo_and_otherwise_the_initial(org_a, client_for, django_capture_on_commit_callbacks):
    client = client_for(org_a.user)
    photo_path = reverse("users:photo", args=[org_a.user.pk])
    assert f'src="{photo_path}' not in client.get(reverse("users:profile")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # the cached "no photo" is forgotten on commit
        upload(client, image_bytes("PNG"))
    page = client.get(reverse("users:profile")).content.decode()
    first = page.split(f'<img src="{photo_path}?v=')[1].split('"')[0]

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, image_bytes("GIF"))
    # A new version with each upload, so browsers may keep the old one cached under the old URL.
    assert f'<img src="{photo_path}?v=' in client.get(reverse("users:profile")).content.decode()
    assert f"?v={first}" not in client.get(reverse("users:profile")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("users:profile_photo_remove"))
    assert f'src="{photo_path}' not in client.get(reverse("users:profile")).content.decode()


def test_the_header_photo_costs_no_query_once_known(org_a, client_for, django_capture_on_commit_callbacks):
    client = client_for(org_a.user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, image_bytes("PNG"))
    client.get(reverse("users:profile"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("users:profile")).content.decode()
    assert reverse("users:photo", args=[org_a.user.pk]) in page
    assert not [q for q in queries.captured_queries if "users_userphoto" in q["sql"]]

"""My profile in real headless Chromium: upload a photo, switch the portal to German, see it."""

import io

import pytest
from django.utils import translation
from PIL import Image

from tests.factories import PASSWORD, make_tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_photo_and_display_language(page, screenshot, live_server, tmp_path):
    tenant, admin = make_tenant("profileorg")
    photo = tmp_path / "me.png"
    image = Image.new("RGB", (120, 120), (15, 76, 129))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())

    page.goto("/signin/")
    page.fill("#id_username", admin.upn)
    page.fill("#id_password", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_url("**/admin/")

    page.goto("/profile/")
    page.set_input_files("#id_photo", str(photo))
    page.click("#profile-photo-form-submit")
    page.wait_for_selector(".alert-success")
    # The header avatar is now the photo, served by the tenant-checked photo view.
    avatar = page.locator("#account-menu img")
    assert avatar.count() == 1 and "/profile/photo/" in avatar.get_attribute("src")
    screenshot("my-profile")

    page.goto("/profile/language/")
    page.select_option("#id_language", "de")
    page.click("#profile-regional-form-submit")
    page.wait_for_selector(".alert-success")
    with translation.override("de"):
        my_profile, users = translation.gettext("My profile"), translation.gettext("Users")
    assert my_profile != "My profile"
    assert my_profile in page.inner_text("header")
    page.goto("/admin/")
    assert users in page.inner_text("nav.sidebar")
    screenshot("overview-german")

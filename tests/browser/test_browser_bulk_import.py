"""Browser journey in real headless Chromium: bulk add users from the sample file, through every step of
the wizard, to the results with the temporary passwords shown once and downloaded once."""

import csv

import pytest

from tests.factories import PASSWORD, make_tenant
from users.models import LicenseAssignment, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bulk_add_users_from_the_sample_file(page, screenshot, live_server, tmp_path):
    tenant, admin = make_tenant("tailspin", name="Tailspin Toys")
    page.goto("/signin/")
    page.fill("#id_username", admin.upn)
    page.fill("#id_password", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_url("**/admin/")

    page.goto("/admin/users/")
    page.click("#bulk-import-users")
    page.wait_for_url("**/admin/users/import/")
    assert page.get_attribute("#import-steps li[aria-current=step]", "class").count("fw-semibold") == 1
    with page.expect_download() as download:
        page.click("#download-sample")
    sample = tmp_path / "sample.csv"
    download.value.save_as(sample)
    # The admin adds a row with an unverified domain: verification reports it, the rest goes on.
    with sample.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerow(["x@unknown.example", "", "", "X"] + [""] * 11)
    page.set_input_files("#id_file", str(sample))
    screenshot("bulk-import-file")
    page.click("#submit-id-submit")

    page.wait_for_selector("#count-valid")
    assert page.inner_text("#count-valid") == "5" and page.inner_text("#count-invalid") == "1"
    with page.expect_download() as errors:
        page.click("#download-errors")
    rows = list(csv.reader(open(errors.value.path(), encoding="utf-8-sig")))
    assert rows[1][:3] == ["7", "x@unknown.example", "User Name"]
    page.click("#verify-next")

    page.get_by_label("Blocked", exact=True).check()
    page.select_option("#id_usage_location", "NL")
    page.click("#submit-id-submit")
    page.check("#id_skus_0")
    page.click("#submit-id-submit")
    assert "Blocked" in page.inner_text("#import-summary") and "Netherlands" in page.inner_text("#import-summary")
    page.fill("#id_notify", "helpdesk@example.net")
    page.click("#submit-id-submit")

    page.wait_for_selector("#count-created")
    assert page.inner_text("#count-created") == "5" and page.inner_text("#count-failed") == "1"
    assert page.locator("#new-users tbody tr").count() == 5
    screenshot("bulk-import-results")
    chris = User.objects.get(upn=f"chris@{tenant.initial_domain}")
    password = page.locator("#new-users tbody tr", has_text=chris.upn).locator("td").nth(2).inner_text()
    assert chris.check_password(password) and not chris.is_active
    assert LicenseAssignment.objects.filter(user=chris).count() == 1
    with page.expect_download() as passwords:
        page.click("#download-passwords")
    assert len(list(csv.reader(open(passwords.value.path(), encoding="utf-8-sig")))) == 6
    page.reload()
    assert not page.is_visible("#new-users") and not page.is_visible("#download-passwords")
    assert page.is_visible("#passwords-gone")

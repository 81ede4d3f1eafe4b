"""Service request attachments: type by content, size limit, private storage, download rights."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from support.request_files import detect_type
from tests.support.requesthelpers import GIF, JPEG, PDF, PNG, open_request, upload, zip_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("data", "expected"), [
    (PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (GIF, "image/gif"),
    (zip_bytes(), "application/zip"), ("name;mail\nÅsa;a@x.com\n".encode(), "text/plain"),
    (b"MZ\x90\x00\x03", None), (b"PK\x03\x04not really a zip", None), (b"\xff\xfe\x00a\x00b", None),
    ("latin-1 é".encode("latin-1"), None),
])
def test_type_is_detected_from_content(data, expected):
    assert detect_type(data) == expected


def test_png_named_pdf_is_stored_as_png_and_text_named_png_is_refused(org_a):
    sr = open_request(org_a, files=[upload("report.pdf", PNG, "application/pdf")])
    assert sr.attachments.get().content_type == "image/png"
    with pytest.raises(ValidationError, match="not an allowed file type"):
        open_request(org_a, files=[upload("photo.png", b"\x00\x01binary pretending", "image/png")])
    with pytest.raises(ValidationError, match="not an allowed file type"):
        open_request(org_a, files=[upload("script.png", b"<html>\x00</html>", "image/png")])


def test_size_limit_from_settings(org_a, settings, client_for):
    settings.SUPPORT_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="larger than the limit"):
        open_request(org_a, files=[upload("big.txt", b"a" * 101)])
    assert open_request(org_a, files=[upload("ok.txt", b"a" * 100)]).attachments.get().size == 100
    response = client_for(org_a.global_admin).post(reverse("support:request_new"), {
        "category": "other", "title": "t", "description": "d", "contact_email": "a@example.net",
        "files": [upload("big.txt", b"a" * 101)]})
    assert response.status_code == 200 and "larger than the limit" in str(response.context["form"].errors)


def test_files_are_stored_privately_and_downloaded_as_attachment(org_a, org_b, settings, client_for):
    sr = open_request(org_a, files=[upload("../../etc/evil name.pdf", PDF)])
    attachment = sr.attachments.get()
    assert attachment.file_name == "evil name.pdf"
    stored = settings.PRIVATE_FILES_ROOT / attachment.storage_path
    assert stored.read_bytes() == PDF and str(org_a.tenant.pk) in attachment.storage_path
    response = client_for(org_a.billing_admin).get(reverse("support:request_attachment", args=[sr.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;") and "evil name.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    # Another organization's request id with this attachment id, or this attachment under another request: 404.
    other = open_request(org_b)
    assert client_for(org_b.global_admin).get(
        reverse("support:request_attachment", args=[other.pk, attachment.pk])).status_code == 404
    assert client_for(org_a.global_admin).get(
        reverse("support:request_attachment", args=[open_request(org_a).pk, attachment.pk])).status_code == 404


def test_too_many_files_refused(org_a):
    with pytest.raises(ValidationError, match="at most"):
        open_request(org_a, files=[upload(f"{i}.txt", b"x") for i in range(6)])


def test_a_failed_write_leaves_no_file_behind(org_a, settings, monkeypatch):
    import support.request_services as services

    def broken(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        open_request(org_a, files=[upload("a.pdf", PDF)])
    from support.models_requests import ServiceRequest

    assert not ServiceRequest.objects.exists()
    folder = settings.PRIVATE_FILES_ROOT / "support" / str(org_a.tenant.pk)
    assert not folder.exists() or not any(folder.iterdir())

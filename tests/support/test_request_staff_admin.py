"""The service request queue in the staff site: filters, assign, reply with mail, status change, downloads."""

import pytest
from django.urls import reverse

from support.models_requests import ServiceRequest
from tenantadmin.models import AuditEvent
from tests.factories import PASSWORD
from tests.support.requesthelpers import PNG, open_request, upload
from users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return User.objects.create_superuser("queue@operator.example", PASSWORD)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff, backend="users.backends.PrincipalNameBackend")
    return client


def change_url(sr):
    return reverse("admin:support_servicerequest_change", args=[sr.pk])


def form_data(sr, **values):
    data = {"status": sr.status, "assigned_to": "", "reply": "",
            "messages-TOTAL_FORMS": "0", "messages-INITIAL_FORMS": "0", "messages-MIN_NUM_FORMS": "0",
            "messages-MAX_NUM_FORMS": "1000"}
    data.update(values)
    return data


def test_queue_lists_and_filters(org_a, org_b, staff_client, staff):
    a = open_request(org_a, title="POP for all")
    b = open_request(org_b, title="Transfer ownership")
    ServiceRequest.objects.filter(pk=b.pk).update(status="in_progress", assigned_to=staff)
    url = reverse("admin:support_servicerequest_changelist")
    assert b"POP for all" in staff_client.get(url).content
    filtered = staff_client.get(url, {"status__exact": "in_progress"})
    assert b"Transfer ownership" in filtered.content and b"POP for all" not in filtered.content
    by_tenant = staff_client.get(url, {"tenant__id__exact": str(org_a.tenant.pk)})
    assert b"POP for all" in by_tenant.content and b"Transfer ownership" not in by_tenant.content
    assigned = staff_client.get(url, {"assigned_to__id__exact": str(staff.pk)})
    assert b"Transfer ownership" in assigned.content and b"POP for all" not in assigned.content
    assert staff_client.get(change_url(a)).status_code == 200


def test_staff_reply_mails_requester_changes_status_and_assigns(org_a, staff_client, staff, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    sr = open_request(org_a, email="contact@example.net", files=[upload("s.png", PNG)])
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(change_url(sr), form_data(
            sr, status="waiting", assigned_to=str(staff.pk), reply="Please send the mailbox list.",
            reply_files=[upload("howto.txt", b"Step 1")]))
    assert response.status_code == 302, response.content[:2000]
    sr.refresh_from_db()
    assert (sr.status, sr.assigned_to) == ("waiting", staff)
    reply = sr.messages.get()
    assert (reply.author_kind, reply.body) == ("staff", "Please send the mailbox list.")
    assert reply.attachments.get().file_name == "howto.txt"
    to = sorted(m.to[0] for m in mailoutbox)
    assert to == sorted(["contact@example.net", org_a.global_admin.alternate_email])
    assert all("Please send the mailbox list." in m.body for m in mailoutbox)
    actions = set(AuditEvent.objects.filter(tenant=org_a.tenant).values_list("action", flat=True))
    assert {"support.request_staff_reply", "support.request_staff_update"} <= actions
    # Staff open the customer's files from the staff site.
    attachment = sr.attachments.get(message__isnull=True)
    download = staff_client.get(reverse("admin:support_servicerequest_attachment", args=[sr.pk, attachment.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")


def test_status_change_alone_mails_once_per_address(org_a, staff_client, mailoutbox,
                                                    django_capture_on_commit_callbacks):
    sr = open_request(org_a, email="contact@example.net")
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(change_url(sr), form_data(sr, status="solved"))
    sr.refresh_from_db()
    assert sr.status == "solved" and not sr.messages.exists()
    assert len(mailoutbox) == 2 and all("Solved" in m.subject for m in mailoutbox)


def test_refused_staff_file_changes_nothing(org_a, staff_client, mailoutbox):
    sr = open_request(org_a)
    response = staff_client.post(change_url(sr), form_data(sr, status="solved", reply="See file",
                                                            reply_files=[upload("x.png", b"\x00not an image")]))
    assert response.status_code == 200 and b"not an allowed file type" in response.content
    sr.refresh_from_db()
    assert sr.status == "new" and not sr.messages.exists() and not mailoutbox


def test_no_add_or_delete_and_only_staff_assignable(org_a, staff_client):
    sr = open_request(org_a)
    assert staff_client.get(reverse("admin:support_servicerequest_add")).status_code == 403
    assert staff_client.get(reverse("admin:support_servicerequest_delete", args=[sr.pk])).status_code == 403
    response = staff_client.post(change_url(sr), form_data(sr, assigned_to=str(org_a.global_admin.pk)))
    assert response.status_code == 200
    sr.refresh_from_db()
    assert sr.assigned_to is None


def test_tenant_admin_cannot_open_the_staff_queue(org_a, client_for):
    response = client_for(org_a.global_admin).get(reverse("admin:support_servicerequest_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]

"""Service requests in the admin center: create, list, reply, close; mails; roles and isolation."""

import pytest
from django.urls import reverse

from support.models_requests import RequestMessage, ServiceRequest
from support.request_services import staff_reply, staff_update
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.factories import make_user
from tests.support.requesthelpers import PNG, open_request, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    from users.models import User

    return User.objects.create_user("agent@support.example", "x", is_staff=True, tenant=None, display_name="Agent")


def test_create_request_with_attachment_numbers_per_tenant_and_audits(org_a, org_b, client_for, settings, mailoutbox,
                                                                      django_capture_on_commit_callbacks):
    settings.SUPPORT_STAFF_EMAIL = "queue@support.example"
    client = client_for(org_a.billing_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("support:request_new"), {
            "category": "billing", "title": "Invoice question", "description": "Why two charges?",
            "contact_email": "billing@example.net", "contact_phone": "+1 425 555 0100",
            "files": [upload("screen.png", PNG, "image/png")]})
    sr = ServiceRequest.objects.get(tenant=org_a.tenant)
    assert response.status_code == 302 and response["Location"] == reverse("support:request", args=[sr.pk])
    assert (sr.number, sr.status, sr.created_by, sr.category) == (1, "new", org_a.billing_admin, "billing")
    assert [(a.file_name, a.content_type, a.size) for a in sr.attachments.all()] == [("screen.png", "image/png", len(PNG))]
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="support.request_created", target_id=str(sr.pk)).exists()
    assert [m.to for m in mailoutbox] == [["queue@support.example"]]
    assert "SR-1" in mailoutbox[0].subject
    # Numbers are per organization and gapless.
    assert open_request(org_a).number == 2
    assert open_request(org_b).number == 1
    page = client.get(reverse("support:request", args=[sr.pk]))
    assert page.status_code == 200 and b"Why two charges?" in page.content and b"screen.png" in page.content


def test_required_fields_and_title_length(org_a, client_for):
    client = client_for(org_a.global_admin)
    response = client.post(reverse("support:request_new"), {"category": "other", "title": "x" * 121,
                                                             "description": "", "contact_email": "nope"})
    assert response.status_code == 200
    form = response.context["form"]
    assert {"title", "description", "contact_email"} <= set(form.errors)
    assert not ServiceRequest.objects.exists()


def test_refused_attachment_writes_nothing(org_a, client_for, settings):
    client = client_for(org_a.global_admin)
    response = client.post(reverse("support:request_new"), {
        "category": "other", "title": "Bad file", "description": "d", "contact_email": "a@example.net",
        "files": [upload("ok.png", PNG), upload("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff\x00")]})
    assert response.status_code == 200
    assert "not an allowed file type" in str(response.context["form"].errors["files"])
    assert not ServiceRequest.objects.exists()
    root = settings.PRIVATE_FILES_ROOT
    assert not (root / "support").exists()


def test_list_filters_by_status_and_pages_with_pinned_queries(org_a, org_b, client_for,
                                                              django_assert_max_num_queries):
    for i in range(55):
        open_request(org_a, title=f"Request {i}")
    closed = open_request(org_a, title="Closed one")
    ServiceRequest.objects.filter(pk=closed.pk).update(status="closed")
    open_request(org_b, title="Other organization")
    client = client_for(org_a.service_admin)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("support:requests"))
    assert first.status_code == 200
    page = first.context["page"]
    assert len(page.items) == 50 and page.has_next and page.items[0].title == "Closed one"
    assert b"Other organization" not in first.content
    second = client.get(reverse("support:requests"), {"after": page.next_cursor})
    assert len(second.context["page"].items) == 6 and not second.context["page"].has_next
    only_closed = client.get(reverse("support:requests"), {"status": "closed"})
    assert [sr.title for sr in only_closed.context["page"].items] == ["Closed one"]
    open_ones = client.get(reverse("support:requests"), {"status": "open"})
    assert "Closed one" not in [sr.title for sr in open_ones.context["page"].items]


def test_customer_reply_with_file_moves_waiting_request_back_to_support(org_a, client_for):
    sr = open_request(org_a)
    ServiceRequest.objects.filter(pk=sr.pk).update(status="waiting")
    client = client_for(org_a.password_admin)
    response = client.post(reverse("support:request", args=[sr.pk]),
                           {"body": "Here is the list of mailboxes.", "files": [upload("list.csv", b"a@x.com\nb@x.com\n")]})
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.status == "in_progress"
    message = sr.messages.get()
    assert (message.author_kind, message.author, message.body) == ("customer", org_a.password_admin,
                                                                  "Here is the list of mailboxes.")
    assert message.attachments.get().content_type == "text/plain"
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="support.request_message").exists()


def test_empty_reply_is_a_form_error(org_a, client_for):
    sr = open_request(org_a)
    response = client_for(org_a.global_admin).post(reverse("support:request", args=[sr.pk]), {"body": "  "})
    assert response.status_code == 200 and "Write a message or attach a file." in str(response.context["form"].errors)
    assert not sr.messages.exists()


def test_close_needs_confirmation_then_closes_and_mails(org_a, client_for, mailoutbox,
                                                         django_capture_on_commit_callbacks):
    sr = open_request(org_a, email="contact@example.net")
    client = client_for(org_a.global_admin)
    page = client.get(reverse("support:request_close", args=[sr.pk]))
    assert page.status_code == 200 and b"cannot be reopened" in page.content
    assert client.post(reverse("support:request_close", args=[sr.pk]), {}).status_code == 200
    sr.refresh_from_db()
    assert sr.status == "new"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("support:request_close", args=[sr.pk]), {"confirm": "on"})
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.status == "closed" and sr.closed_at is not None
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="support.request_closed").exists()
    assert any("contact@example.net" in m.to for m in mailoutbox)
    # A closed request takes no more messages.
    response = client.post(reverse("support:request", args=[sr.pk]), {"body": "one more thing"})
    assert response.status_code == 200 and "closed" in str(response.context["form"].errors)


def test_staff_reply_and_status_change_mail_requester_and_replying_admins(org_a, staff, mailoutbox,
                                                                           django_capture_on_commit_callbacks):
    sr = open_request(org_a, email="contact@example.net")
    from support.request_services import add_customer_message

    add_customer_message(sr=sr, actor=Actor.for_user(org_a.billing_admin), body="More details")
    with django_capture_on_commit_callbacks(execute=True):
        staff_reply(sr=sr, actor=Actor.for_user(staff), body="Which mailboxes?", status="waiting")
    assert len(mailoutbox) == 3  # contact, the requester's and the replying admin's alternate addresses
    recipients = {m.to[0] for m in mailoutbox}
    assert recipients == {"contact@example.net", org_a.global_admin.alternate_email, org_a.billing_admin.alternate_email}
    assert all("Which mailboxes?" in m.body and "SR-1" in m.subject for m in mailoutbox)
    sr.refresh_from_db()
    assert sr.status == "waiting"
    reply = sr.messages.filter(author_kind=RequestMessage.AuthorKind.STAFF).get()
    assert reply.author == staff
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="support.request_staff_reply")
    assert event.actor_type == "staff" and event.changes["status"] == ["new", "waiting"]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff_update(sr=sr, actor=Actor.for_user(staff), status="solved", assigned_to=staff)
    assert len(mailoutbox) == 3 and all("Solved" in m.subject for m in mailoutbox)
    sr.refresh_from_db()
    assert (sr.status, sr.assigned_to) == ("solved", staff)


def test_another_tenants_request_is_404_and_a_member_without_role_is_403(org_a, org_b, client_for):
    sr = open_request(org_a, files=[upload("a.txt", b"hello")])
    attachment = sr.attachments.get()
    client = client_for(org_b.global_admin)
    for url in (reverse("support:request", args=[sr.pk]), reverse("support:request_close", args=[sr.pk]),
                reverse("support:request_attachment", args=[sr.pk, attachment.pk])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("support:request_close", args=[sr.pk]), {"confirm": "on"}).status_code == 404
    sr.refresh_from_db()
    assert sr.status == "new"
    plain = client_for(org_a.user)
    assert plain.get(reverse("support:requests")).status_code == 403
    assert plain.get(reverse("support:request_attachment", args=[sr.pk, attachment.pk])).status_code == 403
    # The administrator roles with the support right.
    for role in ("global_admin", "billing_admin", "password_admin", "service_admin"):
        assert client_for(org_a.member(role)).get(reverse("support:request", args=[sr.pk])).status_code == 200
    # The user management role has no support right (tenantadmin/roles.py).
    assert client_for(org_a.user_admin).get(reverse("support:request", args=[sr.pk])).status_code == 403


def test_member_created_later_sees_request(org_a, client_for):
    person = make_user(org_a.tenant, "helpdesk", roles=["password_admin"])
    sr = open_request(org_a)
    assert client_for(person).get(reverse("support:requests")).context["page"].items == [sr]

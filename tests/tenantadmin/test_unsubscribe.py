"""Every product mail carries a working unsubscribe link, scoped to one organization and one address.

GET only shows what the link does (mail scanners follow links); POST unsubscribes. Account mail is
always sent, and its link stops every other kind.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from tenantadmin.mail import mail_after_commit, unsubscribe_token
from tenantadmin.models import AuditEvent, Job, MailSuppression
from tenantadmin.tasks import send_mail_task

pytestmark = pytest.mark.django_db

ADDRESS = "Owner.Person@Example.net"
LINK = re.compile(r"https?://\S+/unsubscribe/[^/\s\"<>]+/")


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """send(org, to, kind) sends the job-finished mail ("jobs") or the welcome mail ("account")."""

    def _send(org, to, kind="jobs"):
        with django_capture_on_commit_callbacks(execute=True):
            if kind == "jobs":
                job = Job.objects.create(tenant=org.tenant, created_by=org.global_admin, kind="export",
                                         title="Audit log export", status=Job.Status.SUCCEEDED)
                # As tenantadmin.services.jobs sends it, with the organization and the kind of mail.
                mail_after_commit(to=to, subject="Audit log export: Succeeded", template="tenantadmin/mail/job_finished",
                                  context={"job": job, "job_url": reverse("tenantadmin:job_detail", args=[job.pk])},
                                  tenant=org.tenant, category="jobs")
            else:
                mail_after_commit(to=to, subject="Welcome", template="users/mail/welcome",
                                  context={"tenant": org.tenant, "user": org.global_admin,
                                           "signin_path": reverse("users:signin")},
                                  tenant=org.tenant, category="account")

    return _send


def link_of(message) -> str:
    return LINK.search(message.body).group(0)


def path_of(url: str) -> str:
    return urlsplit(url).path


def suppressed(org) -> set[tuple[str, str]]:
    return set(MailSuppression.objects.filter(tenant=org.tenant).values_list("email", "category"))


def test_the_job_mail_carries_a_link_and_the_list_unsubscribe_header(org_a, send, mailoutbox, settings):
    send(org_a, [ADDRESS])

    [message] = mailoutbox
    url = link_of(message)
    assert url.startswith(settings.PUBLIC_URL + "/unsubscribe/")
    html, _mimetype = message.alternatives[0]
    assert f'href="{url}"' in html
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "To stop receiving messages like this one" in message.body


def test_each_recipient_gets_their_own_message_and_link(org_a, send, mailoutbox):
    send(org_a, ["one@example.net", "two@example.net", "ONE@example.net"])

    assert sorted(m.to[0] for m in mailoutbox) == ["one@example.net", "two@example.net"]  # one per address
    links = {m.to[0]: link_of(m) for m in mailoutbox}
    assert links["one@example.net"] != links["two@example.net"]


def test_opening_the_link_does_not_unsubscribe(org_a, send, mailoutbox, client):
    send(org_a, [ADDRESS])
    response = client.get(path_of(link_of(mailoutbox[0])))

    assert response.status_code == 200
    page = response.content.decode()
    assert "owner.person@example.net will no longer receive" in page
    assert "Notices about finished background jobs" in page and 'id="unsubscribe-form"' in page
    assert suppressed(org_a) == set()


def test_pressing_the_button_unsubscribes_and_the_next_job_mail_is_not_sent(org_a, send, mailoutbox, client):
    send(org_a, [ADDRESS])
    response = client.post(path_of(link_of(mailoutbox[0])))

    assert response.status_code == 200 and 'id="unsubscribe-done"' in response.content.decode()
    assert suppressed(org_a) == {("owner.person@example.net", "jobs")}
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="mail.unsubscribe")
    assert event.target_label == "owner.person@example.net" and event.changes == {"categories": [[], ["jobs"]]}

    mailoutbox.clear()
    send(org_a, [ADDRESS.upper(), "colleague@example.net"])
    assert [m.to for m in mailoutbox] == [["colleague@example.net"]]


def test_account_mail_is_still_sent_and_its_link_stops_every_other_kind(org_a, send, mailoutbox, client):
    send(org_a, [ADDRESS])
    client.post(path_of(link_of(mailoutbox[0])))
    mailoutbox.clear()

    send(org_a, [ADDRESS], kind="account")
    [welcome] = mailoutbox
    assert welcome.to == [ADDRESS]
    assert "always sent" in welcome.body
    page = client.get(path_of(link_of(welcome))).content.decode()
    assert "always sent" in page
    assert "Offers and news" in page and "Service and billing notices" in page

    client.post(path_of(link_of(welcome)))
    assert suppressed(org_a) == {("owner.person@example.net", c) for c in ("jobs", "service", "promotional")}
    mailoutbox.clear()
    send(org_a, [ADDRESS], kind="account")
    send(org_a, [ADDRESS], kind="jobs")
    assert [m.subject for m in mailoutbox] == ["Welcome"]


def test_unsubscribing_twice_is_harmless(org_a, send, mailoutbox, client):
    send(org_a, [ADDRESS])
    path = path_of(link_of(mailoutbox[0]))
    assert client.post(path).status_code == 200
    assert client.post(path).status_code == 200
    assert MailSuppression.objects.filter(tenant=org_a.tenant).count() == 1
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="mail.unsubscribe").count() == 1
    assert 'id="already-unsubscribed"' in client.get(path).content.decode()


def test_mail_programs_can_unsubscribe_in_one_click_without_a_csrf_token(org_a, send, mailoutbox):
    send(org_a, [ADDRESS])
    url = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    response = Client(enforce_csrf_checks=True).post(path_of(url), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert suppressed(org_a) == {("owner.person@example.net", "jobs")}


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature changed
    lambda token: "x" + token,  # payload changed
    lambda token: "not-a-token",
    lambda token: signing.dumps({"t": "x", "e": "a@example.net", "c": "jobs"}, salt="another.purpose"),
])
def test_a_tampered_link_says_it_is_not_valid_and_changes_nothing(tamper, org_a, client):
    token = tamper(unsubscribe_token(org_a.tenant, ADDRESS, "jobs"))
    path = reverse("tenantadmin:unsubscribe", args=[token])
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    assert MailSuppression.objects.count() == 0


def test_a_signed_token_with_an_unknown_kind_or_organization_is_not_valid(org_a, client):
    for payload in ({"t": str(org_a.tenant.pk), "e": ADDRESS, "c": "everything"},
                    {"t": "00000000-0000-0000-0000-000000000000", "e": ADDRESS, "c": "jobs"},
                    {"t": "not-a-uuid", "e": ADDRESS, "c": "jobs"},
                    ["a", "list"]):
        token = signing.dumps(payload, salt="tenantadmin.unsubscribe")
        assert client.post(reverse("tenantadmin:unsubscribe", args=[token])).status_code == 400
    assert MailSuppression.objects.count() == 0


def test_a_link_from_organization_a_does_not_stop_mail_of_organization_b(org_a, org_b, send, mailoutbox, client):
    send(org_a, [ADDRESS])
    client.post(path_of(link_of(mailoutbox[0])))
    mailoutbox.clear()

    send(org_b, [ADDRESS])
    assert [m.to for m in mailoutbox] == [[ADDRESS]]
    assert suppressed(org_b) == set()


def test_mail_without_an_organization_has_no_link_and_is_sent(mailoutbox, django_capture_on_commit_callbacks, org_a):
    with django_capture_on_commit_callbacks(execute=True):
        mail_after_commit(to=[ADDRESS], subject="Hello", template="users/mail/welcome",
                          context={"tenant": org_a.tenant, "user": org_a.global_admin, "signin_path": "/signin/"})
    [message] = mailoutbox
    assert "/unsubscribe/" not in message.body and "List-Unsubscribe" not in message.extra_headers


def test_the_mail_task_still_accepts_the_old_arguments(mailoutbox):
    send_mail_task(["someone@example.net"], "Subject", "Text", "<p>Html</p>")
    assert mailoutbox[0].to == ["someone@example.net"] and mailoutbox[0].extra_headers == {}

"""Domain list (pinned queries), default domain, and removal: never the initial one, never while in use,
in the background with Pending deletion."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from domains.models import Domain
from domains.removal import domain_remove_start
from domains.services import domain_add, domain_set_default
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent, Job
from tests.domains.domain_helpers import verified_domain
from tests.factories import make_user

ACTOR = Actor.system("tests")


@pytest.mark.parametrize("count", [3, 30])
def test_list_costs_the_same_queries_for_3_and_30_domains(org_a, client_for, django_assert_max_num_queries, count):
    for n in range(count):
        domain_add(tenant=org_a.tenant, actor=ACTOR, name=f"contoso{n}.com")
    client = client_for(org_a.global_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("domains:list"))
    assert response.status_code == 200 and "contoso0.com" in response.content.decode()


def test_list_shows_status_link_to_verify(org_a, client_for):
    domain_add(tenant=org_a.tenant, actor=ACTOR, name="contoso.com")
    page = client_for(org_a.global_admin).get(reverse("domains:list")).content.decode()
    assert reverse("domains:detail", args=["contoso.com"]) in page and "Click to verify domain" in page


def test_list_other_tenant_domains_are_not_shown_and_billing_admin_gets_403(org_a, org_b, client_for):
    domain_add(tenant=org_b.tenant, actor=ACTOR, name="fabrikam.com")
    assert "fabrikam.com" not in client_for(org_a.global_admin).get(reverse("domains:list")).content.decode()
    assert client_for(org_a.billing_admin).get(reverse("domains:list")).status_code == 403


def test_any_verified_domain_can_be_default_not_an_unverified_one(org_a, client_for):
    verified_domain(org_a.tenant, "contoso.com")
    domain_add(tenant=org_a.tenant, actor=ACTOR, name="fabrikam.com")
    client = client_for(org_a.global_admin)
    client.post(reverse("domains:set_default", args=["contoso.com"]))
    org_a.tenant.refresh_from_db()
    assert org_a.tenant.default_domain == "contoso.com"
    assert AuditEvent.objects.filter(action="domain.set_default").exists()
    with pytest.raises(ValidationError):
        domain_set_default(tenant=org_a.tenant, actor=ACTOR, domain=Domain.objects.get(name="fabrikam.com"))


def test_set_default_other_tenant_404_and_reader_403(org_a, org_b, client_for):
    verified_domain(org_a.tenant, "contoso.com")
    assert client_for(org_b.global_admin).post(reverse("domains:set_default", args=["contoso.com"])).status_code == 404
    assert client_for(org_a.user_admin).post(reverse("domains:set_default", args=["contoso.com"])).status_code == 403


def test_initial_domain_is_never_removed(org_a):
    initial = Domain.objects.get(tenant=org_a.tenant, is_initial=True)
    with pytest.raises(ValidationError) as caught:
        domain_remove_start(tenant=org_a.tenant, actor=ACTOR, domain=initial)
    assert "initial" in caught.value.messages[0]


def test_domain_in_use_lists_users_and_links_to_change_their_domain(org_a, client_for):
    verified_domain(org_a.tenant, "contoso.com")
    from users.models import User

    person = make_user(org_a.tenant, "pat")
    User.objects.filter(pk=person.pk).update(upn="pat@contoso.com")
    client = client_for(org_a.global_admin)
    page = client.get(reverse("domains:remove", args=["contoso.com"])).content.decode()
    assert "pat@contoso.com" in page and reverse("users:change_domain") + "?from=contoso.com" in page
    client.post(reverse("domains:remove", args=["contoso.com"]))
    assert Domain.objects.get(name="contoso.com").status == Domain.Status.VERIFIED


def test_proxy_address_and_website_block_removal(org_a):
    domain = verified_domain(org_a.tenant, "contoso.com")
    from users.models import ProxyAddress

    ProxyAddress.objects.create(tenant=org_a.tenant, user=org_a.user, address="plain@contoso.com")
    with pytest.raises(ValidationError) as caught:
        domain_remove_start(tenant=org_a.tenant, actor=ACTOR, domain=domain)
    assert "e-mail addresses" in " ".join(caught.value.messages)
    ProxyAddress.objects.filter(address="plain@contoso.com").delete()
    Domain.objects.filter(pk=domain.pk).update(website="hosted")
    with pytest.raises(ValidationError) as caught:
        domain_remove_start(tenant=org_a.tenant, actor=ACTOR, domain=Domain.objects.get(pk=domain.pk))
    assert "website" in " ".join(caught.value.messages)


def test_removal_runs_as_a_job_after_pending_deletion(org_a, client_for, django_capture_on_commit_callbacks):
    verified_domain(org_a.tenant, "contoso.com")
    client = client_for(org_a.global_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("domains:remove", args=["contoso.com"]))
    assert Domain.objects.get(name="contoso.com").status == Domain.Status.PENDING_DELETION
    job = Job.objects.get(tenant=org_a.tenant, kind="domain.remove")
    assert response["Location"] == reverse("tenantadmin:job_detail", args=[job.pk])
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and not Domain.objects.filter(name="contoso.com").exists()
    assert AuditEvent.objects.filter(action="domain.remove").exists()


def test_remove_page_other_tenant_404_and_reader_403(org_a, org_b, client_for):
    verified_domain(org_a.tenant, "contoso.com")
    assert client_for(org_b.global_admin).get(reverse("domains:remove", args=["contoso.com"])).status_code == 404
    assert client_for(org_a.user_admin).post(reverse("domains:remove", args=["contoso.com"])).status_code == 403
    assert Domain.objects.get(name="contoso.com").status == Domain.Status.VERIFIED


@pytest.mark.parametrize("topic, words", [("dns-basics", "Time to live"), ("72-hours", "15 minutes"),
                                          ("verified-no-mail", "MX record")])
def test_help_topics(org_a, client_for, topic, words):
    page = client_for(org_a.user_admin).get(reverse("domains:help") + f"?topic={topic}")
    assert page.status_code == 200 and words in page.content.decode()
    assert client_for(org_a.user_admin).get(reverse("domains:help") + "?topic=nope").status_code == 404

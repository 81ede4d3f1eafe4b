"""A partner's people acting as administrators of a customer, through the browser: pick the customer, work in it
with the delegated roles, audited under the partner's name, and back in the own organization the moment the
customer removes the partner."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from billing.partner_services import relationship_remove
from tenantadmin.actors import Actor
from tenantadmin.delegation import ACTING_SESSION_KEY, delegated_role_codes
from tenantadmin.models import AuditEvent, Job
from tenantadmin.roles import Role
from tests.billing.partnerhelpers import partner_org, relate
from tests.factories import make_user
from users.models import ContactPreferences, User

pytestmark = pytest.mark.django_db

USERS = reverse("users:list")
CUSTOMERS = reverse("partners:customers")
MANAGE = reverse("partners:manage")
RETURN = reverse("partners:return")


@pytest.fixture
def partner(db):
    return partner_org()


@pytest.fixture
def customer(org_a, partner):
    """org_a made the partner its delegated administrator."""
    return relate(org_a.tenant, partner["tenant"], accepted_by=org_a.global_admin)


def manage(client, tenant):
    response = client.post(MANAGE, {"customer": str(tenant.pk)})
    assert response.status_code == 302 and response["Location"] == reverse("tenantadmin:overview"), response
    return response


def test_the_role_mapping_is_one_function():
    assert delegated_role_codes([Role.GLOBAL_ADMIN, Role.BILLING_ADMIN]) == {"global_admin"}
    assert delegated_role_codes([Role.PASSWORD_ADMIN]) == {"password_admin"}
    assert delegated_role_codes([Role.USER_ADMIN]) == {"password_admin"}
    assert delegated_role_codes([Role.BILLING_ADMIN, Role.SERVICE_ADMIN]) == frozenset()
    assert delegated_role_codes([]) == frozenset()


def test_a_partner_global_admin_manages_the_customers_users_and_creates_one(partner, customer, org_a, client_for):
    client = client_for(partner["global_admin"])
    page = client.get(CUSTOMERS).content.decode()
    assert "Contoso CONTOSOA" in page and org_a.tenant.initial_domain in page
    manage(client, org_a.tenant)
    response = client.get(USERS)
    assert response.status_code == 200
    page = response.content.decode()
    assert org_a.user.upn in page and partner["password_admin"].upn not in page
    banner = re.sub(r"\s+", " ", page.split('id="delegation-banner"')[1].split("</div>")[0])
    assert "You are managing <strong>Contoso CONTOSOA</strong> as delegated administrator for Fabrikam Partners." in banner
    assert "Return to Fabrikam Partners" in page

    client.get(reverse("users:create"))
    client.post(reverse("users:create_details"), {"first_name": "Nia", "last_name": "Vos", "display_name": "Nia Vos",
                                                  "alias": "nia", "domain": org_a.tenant.initial_domain})
    client.post(reverse("users:create_settings"), {"role": "", "alternate_email": "", "usage_location": "NL"})
    client.post(reverse("users:create_licenses"), {"skus": []})
    response = client.post(reverse("users:create_send"), {})
    assert response.status_code == 302 and response["Location"] == reverse("users:create_results")
    created = User.objects.get(upn=f"nia@{org_a.tenant.initial_domain}")
    assert created.tenant == org_a.tenant
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="user.create", target_id=str(created.pk))
    assert event.actor_type == AuditEvent.ActorType.PARTNER
    assert event.actor_label == (f"{partner['global_admin'].upn} (partner Fabrikam Partners on behalf of "
                                 f"Contoso CONTOSOA)")
    assert not AuditEvent.objects.filter(tenant=partner["tenant"], action="user.create", target_id=str(created.pk)).exists()
    start = AuditEvent.objects.get(tenant=org_a.tenant, action="partner.access_start")
    assert start.actor_type == AuditEvent.ActorType.PARTNER


def test_the_role_rules_compare_the_organization_the_partner_acts_in(partner, customer, org_a, org_b):
    from users.password_services import password_reset_allowed
    from users.services.roles import can_manage

    acting = Actor.for_partner(partner["global_admin"], partner=partner["tenant"], customer=org_a.tenant)
    assert acting.tenant_id == org_a.tenant.pk
    assert can_manage(acting, org_a.billing_admin) and password_reset_allowed(acting, org_a.billing_admin)
    # The same person outside the customer, or in another organization, changes nobody there.
    assert not can_manage(Actor.for_user(partner["global_admin"]), org_a.billing_admin)
    assert not can_manage(acting, org_b.user) and not password_reset_allowed(acting, org_b.user)


def test_the_partners_password_admin_resets_a_password_but_cannot_open_billing(partner, customer, org_a, client_for):
    client = client_for(partner["password_admin"])
    manage(client, org_a.tenant)
    assert client.get(reverse("billing:subscriptions")).status_code == 403
    assert client.get(reverse("users:create")).status_code == 403
    # An administrator's password stays out of reach (the Password administrator's limits).
    assert client.get(reverse("users:password_reset_admin", args=[org_a.billing_admin.pk])).status_code == 403
    response = client.post(reverse("users:password_reset_admin", args=[org_a.user.pk]), {})
    assert response.status_code == 302
    org_a.user.refresh_from_db()
    assert org_a.user.must_change_password
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="user.password_reset", target_id=str(org_a.user.pk))
    assert "(partner Fabrikam Partners on behalf of Contoso CONTOSOA)" in event.actor_label


def test_the_partners_user_admin_acts_as_password_admin(partner, customer, org_a, client_for):
    client = client_for(partner["user_admin"])
    manage(client, org_a.tenant)
    assert client.get(USERS).status_code == 200
    assert client.get(reverse("users:create")).status_code == 403  # not a user management admin of the customer


@pytest.mark.parametrize("role_name", ["billing_admin", "user"])
def test_partner_people_without_an_acting_role_cannot_manage(role_name, partner, customer, org_a, client_for):
    client = client_for(partner[role_name])
    assert client.post(MANAGE, {"customer": str(org_a.tenant.pk)}).status_code == 403
    assert ACTING_SESSION_KEY not in client.session
    # Even a session holding the customer (e.g. the role was taken away meanwhile) does not act.
    session = client.session
    session[ACTING_SESSION_KEY] = {"id": str(org_a.tenant.pk), "name": "Contoso CONTOSOA"}
    session.save()
    response = client.get(reverse("users:profile"))
    assert response.status_code == 200 and ACTING_SESSION_KEY not in client.session


def test_managing_needs_an_active_relationship(partner, org_a, org_b, customer, client_for):
    client = client_for(partner["global_admin"])
    assert client.post(MANAGE, {"customer": str(org_b.tenant.pk)}).status_code == 404
    assert client.post(MANAGE, {"customer": "not-a-uuid"}).status_code == 404
    assert ACTING_SESSION_KEY not in client.session


def test_acting_person_cannot_reach_a_third_organization(partner, customer, org_a, org_b, client_for):
    client = client_for(partner["global_admin"])
    manage(client, org_a.tenant)
    assert client.get(reverse("users:detail", args=[org_b.user.pk])).status_code == 404
    assert client.get(reverse("users:detail", args=[org_a.user.pk])).status_code == 200
    # Nor their own organization's people while managing the customer.
    assert client.get(reverse("users:detail", args=[partner["user"].pk])).status_code == 404


def test_removal_sends_the_partner_back_on_the_very_next_request(partner, customer, org_a, client_for):
    client = client_for(partner["global_admin"])
    manage(client, org_a.tenant)
    assert org_a.user.upn in client.get(USERS).content.decode()
    relationship_remove(tenant=org_a.tenant, actor=Actor.for_user(org_a.global_admin), relationship_id=customer.pk)

    response = client.get(USERS)
    assert response.status_code == 200
    page = response.content.decode()
    assert org_a.user.upn not in page and partner["user"].upn in page  # the partner's own users again
    assert "You no longer have delegated access to Contoso CONTOSOA, so you are back in Fabrikam Partners." in page
    assert 'id="delegation-banner"' not in page
    assert ACTING_SESSION_KEY not in client.session
    # Manage again is refused too.
    assert client.post(MANAGE, {"customer": str(org_a.tenant.pk)}).status_code == 404


def test_return_goes_back_to_the_own_organization(partner, customer, org_a, client_for):
    client = client_for(partner["global_admin"])
    manage(client, org_a.tenant)
    response = client.post(RETURN)
    assert response["Location"] == CUSTOMERS
    page = client.get(USERS).content.decode()
    assert partner["user"].upn in page and org_a.user.upn not in page and 'id="delegation-banner"' not in page


def test_acting_person_cannot_remove_delegated_admins_but_sees_the_list(partner, customer, org_a, client_for):
    client = client_for(partner["global_admin"])
    manage(client, org_a.tenant)
    page = client.get(reverse("partners:delegated_admins")).content.decode()
    assert "Fabrikam Partners" in page and 'id="acting-read-only"' in page
    assert reverse("partners:delegated_admin_remove", args=[customer.pk]) not in page
    url = reverse("partners:delegated_admin_remove", args=[customer.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    customer.refresh_from_db()
    assert customer.status == "active"


def test_own_profile_and_partner_pages_stay_in_the_own_organization(partner, customer, org_a, client_for):
    client = client_for(partner["global_admin"])
    manage(client, org_a.tenant)
    client.post(reverse("users:profile_contact"), {"preferred_email": "me@partner.example"})
    preferences = ContactPreferences.objects.get(user=partner["global_admin"])
    assert preferences.tenant_id == partner["tenant"].pk
    assert not AuditEvent.objects.filter(tenant=org_a.tenant, target_id=str(partner["global_admin"].pk)).exists()
    page = client.get(reverse("users:profile")).content.decode()
    assert 'id="delegation-banner"' in page  # still says whom the session manages
    customers = client.get(CUSTOMERS)
    assert customers.status_code == 200 and 'id="managing-now"' in customers.content.decode()
    # And the Partner section of the left pane is hidden while in the customer.
    assert CUSTOMERS not in client.get(reverse("tenantadmin:overview")).content.decode()


def test_a_job_started_while_acting_works_in_the_customer_until_removal(partner, customer, org_a, client_for,
                                                                        django_capture_on_commit_callbacks):
    client = client_for(partner["global_admin"])
    manage(client, org_a.tenant)
    person = make_user(org_a.tenant, "jobtarget", city="Delft")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("users:bulk_edit"), {"ids": [str(person.pk)], "apply": "1",
                                                            "license_mode": "retain", "city": "Utrecht"})
    job = Job.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])
    assert job.tenant == org_a.tenant and job.created_by == partner["global_admin"]
    job.refresh_from_db()
    person.refresh_from_db()
    assert (job.status, person.city) == ("succeeded", "Utrecht")
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="user.update", target_id=str(person.pk))
    assert event.actor_type == AuditEvent.ActorType.PARTNER

    relationship_remove(tenant=org_a.tenant, actor=Actor.for_user(org_a.global_admin), relationship_id=customer.pk)
    after = Actor.for_job(Job.objects.select_related("tenant", "created_by").get(pk=job.pk))
    assert after.kind == AuditEvent.ActorType.PARTNER and after.user.admin_perms == frozenset()


def test_acting_costs_at_most_one_query_more_on_the_users_page(partner, customer, org_a, client_for,
                                                               django_assert_max_num_queries):
    for n in range(5):
        make_user(org_a.tenant, f"counted{n}")
    own = client_for(org_a.global_admin)
    own.get(USERS)
    cache.clear()
    with django_assert_max_num_queries(100) as baseline:
        assert own.get(USERS).status_code == 200
    not_acting = len(baseline.captured_queries)  # read now: the next request empties the query log
    own.logout()

    acting = client_for(partner["global_admin"])
    manage(acting, org_a.tenant)
    acting.get(USERS)
    cache.clear()
    with django_assert_max_num_queries(not_acting + 1) as acting_count:
        response = acting.get(USERS)
    assert response.status_code == 200 and org_a.user.upn in response.content.decode()
    assert len(acting_count.captured_queries) == not_acting + 1  # the relationship check, nothing per row

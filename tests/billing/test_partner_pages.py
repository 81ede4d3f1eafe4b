"""The partner pages in the browser: Customers and Invitations (partners only; others get an explanation), the
authorization page at the invitation link, Support > Delegated administrators with Remove, the left pane, the
staff site's enrolment; each with its roles, the other organization's 404 and pinned query counts."""

import pytest
from django.core import mail
from django.urls import reverse

from billing.models import DelegatedAdminInvitation, DelegatedAdminRelationship, PartnerProfile, Subscription
from tenantadmin.models import AuditEvent
from tests.billing.partnerhelpers import enrol, invite, partner_org, relate
from tests.factories import make_tenant

pytestmark = pytest.mark.django_db

CUSTOMERS = reverse("partners:customers")
INVITATIONS = reverse("partners:invitations")
DELEGATED = reverse("partners:delegated_admins")
OVERVIEW = reverse("tenantadmin:overview")


@pytest.fixture
def partner(db):
    return partner_org()


def link_path(secret: str) -> str:
    return reverse("partners:invitation", args=[secret])


# --- partner side --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [CUSTOMERS, INVITATIONS])
def test_organizations_that_are_not_partners_get_an_explanation(url, org_a, client_for):
    response = client_for(org_a.global_admin).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="not-a-partner"' in page and "not enrolled as a partner" in page


def test_the_left_pane_shows_the_partner_section_to_partners_only(partner, org_a, client_for):
    page = client_for(partner["global_admin"]).get(OVERVIEW).content.decode()
    assert CUSTOMERS in page and INVITATIONS in page
    helpdesk = client_for(partner["password_admin"]).get(OVERVIEW).content.decode()
    assert CUSTOMERS in helpdesk and INVITATIONS not in helpdesk
    assert CUSTOMERS not in client_for(org_a.global_admin).get(OVERVIEW).content.decode()


def test_the_partner_section_costs_no_query_on_the_overview(partner, client_for, django_assert_num_queries):
    from tests.tenantadmin.test_overview_page import OVERVIEW_QUERIES

    client = client_for(partner["global_admin"])
    client.get(OVERVIEW)  # warm process-wide caches, as the overview test does
    with django_assert_num_queries(OVERVIEW_QUERIES):
        page = client.get(OVERVIEW).content.decode()
    assert CUSTOMERS in page


def test_send_shows_the_link_once_then_lists_the_invitation(partner, client_for, django_capture_on_commit_callbacks):
    client = client_for(partner["global_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVITATIONS, {"email": "boss@customer.example", "message": "Let us help"})
    assert response.status_code == 302 and response["Location"] == INVITATIONS
    page = client.get(INVITATIONS).content.decode()
    link = page.split('id="invitation-link-value">')[1].split("<")[0]
    assert link.startswith("http") and "/partner-invitation/" in link
    assert link in mail.outbox[0].body and mail.outbox[0].to == ["boss@customer.example"]
    again = client.get(INVITATIONS).content.decode()
    assert link not in again and "boss@customer.example" in again and "Resend" in again


def test_send_errors_stay_on_the_form(partner, client_for):
    page = client_for(partner["global_admin"]).post(INVITATIONS, {"email": "nope"})
    assert page.status_code == 200 and "Enter a valid email address." in page.content.decode()
    assert not DelegatedAdminInvitation.objects.exists()


def test_resend_and_withdraw_from_the_page(partner, client_for):
    invitation, _secret = invite(partner["tenant"])
    client = client_for(partner["global_admin"])
    response = client.post(reverse("partners:invitation_resend", args=[invitation.pk]))
    assert response["Location"] == INVITATIONS
    assert 'id="new-invitation-link"' in client.get(INVITATIONS).content.decode()
    withdraw = reverse("partners:invitation_revoke", args=[invitation.pk])
    confirmation = client.get(withdraw).content.decode()
    assert "The link in the mail stops working at once" in confirmation
    assert DelegatedAdminInvitation.objects.get(pk=invitation.pk).status == "pending"  # the GET changed nothing
    client.post(withdraw)
    assert DelegatedAdminInvitation.objects.get(pk=invitation.pk).status == "revoked"
    page = client.get(INVITATIONS).content.decode()
    assert "Withdrawn" in page and withdraw not in page


def test_another_organization_gets_404_on_the_partners_invitations(partner, org_b, client_for):
    invitation, _secret = invite(partner["tenant"])
    enrol(org_b.tenant)
    client = client_for(org_b.global_admin)
    assert client.post(reverse("partners:invitation_resend", args=[invitation.pk])).status_code == 404
    assert client.get(reverse("partners:invitation_revoke", args=[invitation.pk])).status_code == 404
    assert client.post(reverse("partners:invitation_revoke", args=[invitation.pk])).status_code == 404
    assert "it@customer.example" not in client.get(INVITATIONS).content.decode()
    assert DelegatedAdminInvitation.objects.get(pk=invitation.pk).status == "pending"


@pytest.mark.parametrize("role_name, customers, invitations", [
    ("global_admin", 200, 200), ("password_admin", 200, 403), ("user_admin", 200, 403),
    ("billing_admin", 403, 403), ("user", 403, 403)])
def test_partner_roles(role_name, customers, invitations, partner, client_for):
    client = client_for(partner[role_name])
    assert client.get(CUSTOMERS).status_code == customers
    assert client.get(INVITATIONS).status_code == invitations


def test_the_customers_list_costs_the_same_queries_for_2_and_12_customers(partner, client_for,
                                                                          django_assert_max_num_queries):
    for n in range(2):
        relate(make_tenant(f"cust{n}", plan=None)[0], partner["tenant"])
    client = client_for(partner["global_admin"])
    client.get(CUSTOMERS)
    with django_assert_max_num_queries(20) as few:
        assert len(client.get(CUSTOMERS).context["page"].items) == 2
    cost = len(few.captured_queries)
    for n in range(2, 12):
        relate(make_tenant(f"cust{n}", plan=None)[0], partner["tenant"])
    with django_assert_max_num_queries(cost):
        page = client.get(CUSTOMERS)
    assert len(page.context["page"].items) == 12
    searched = client.get(CUSTOMERS, {"q": "cust11"}).context["page"].items
    assert [r.tenant.initial_domain.split(".")[0] for r in searched] == ["cust11"]


def test_the_invitations_list_costs_the_same_queries_for_2_and_12(partner, client_for, django_assert_max_num_queries):
    for n in range(2):
        invite(partner["tenant"], f"c{n}@customer.example")
    client = client_for(partner["global_admin"])
    client.get(INVITATIONS)
    with django_assert_max_num_queries(20) as few:
        client.get(INVITATIONS)
    cost = len(few.captured_queries)
    for n in range(2, 12):
        invite(partner["tenant"], f"c{n}@customer.example")
    with django_assert_max_num_queries(cost):
        assert len(client.get(INVITATIONS).context["page"].items) == 12


# --- the authorization page ----------------------------------------------------------------------------------

def test_a_visitor_is_asked_to_sign_in_first_and_comes_back(partner, org_a, client):
    _invitation, secret = invite(partner["tenant"], message="We look after your licenses")
    page = client.get(link_path(secret))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Fabrikam Partners asks to become a delegated administrator of your organization." in text
    assert "We look after your licenses" in text and 'id="sign-in-to-answer"' in text
    assert 'id="accept-invitation"' not in text
    signin = text.split('id="sign-in-to-answer"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    response = client.post(signin, {"username": org_a.global_admin.upn, "password": "Sunflower#26"})
    assert response.status_code == 302 and response["Location"] == link_path(secret)


def test_a_global_admin_accepts_on_the_page(partner, org_a, client_for):
    _invitation, secret = invite(partner["tenant"])
    client = client_for(org_a.global_admin)
    page = client.get(link_path(secret)).content.decode()
    assert "Fabrikam Partners asks to become a delegated administrator of Contoso CONTOSOA." in page
    assert "its global administrators: do everything a global administrator" in page
    response = client.post(link_path(secret), {"answer": "accept"})
    assert response["Location"] == DELEGATED
    assert DelegatedAdminRelationship.objects.filter(tenant=org_a.tenant, partner=partner["tenant"], status="active").exists()
    listing = client.get(DELEGATED).content.decode()
    assert "Fabrikam Partners" in listing and org_a.global_admin.upn in listing
    again = client.get(link_path(secret))
    assert again.status_code == 410 and "already accepted" in again.content.decode()


def test_decline_on_the_page(partner, org_a, client_for):
    invitation, secret = invite(partner["tenant"])
    client = client_for(org_a.global_admin)
    assert client.post(link_path(secret), {"answer": "decline"}).status_code == 302
    assert DelegatedAdminInvitation.objects.get(pk=invitation.pk).status == "declined"
    assert not DelegatedAdminRelationship.objects.exists()


def test_other_people_get_a_clear_answer(partner, org_a, client_for):
    _invitation, secret = invite(partner["tenant"])
    not_admin = client_for(org_a.user_admin).get(link_path(secret))
    assert not_admin.status_code == 403 and 'id="not-global-admin"' in not_admin.content.decode()
    assert client_for(org_a.user_admin).post(link_path(secret), {"answer": "accept"}).status_code == 403
    own = client_for(partner["global_admin"]).get(link_path(secret))
    assert own.status_code == 400 and "comes from your own organization" in own.content.decode()
    assert not DelegatedAdminRelationship.objects.exists()


def test_unknown_and_withdrawn_links(partner, client):
    unknown = client.get(link_path("no-such-secret"))
    assert unknown.status_code == 404 and "This invitation link is not valid." in unknown.content.decode()
    invitation, secret = invite(partner["tenant"])
    DelegatedAdminInvitation.objects.filter(pk=invitation.pk).update(status="revoked")
    withdrawn = client.get(link_path(secret))
    assert withdrawn.status_code == 410 and "Fabrikam Partners withdrew this invitation." in withdrawn.content.decode()


def test_a_partner_person_managing_a_customer_is_sent_back_first(partner, org_a, client_for):
    relate(org_a.tenant, partner["tenant"], accepted_by=org_a.global_admin)
    other = partner_org("secondpartner", name="Second Partners")
    _invitation, secret = invite(other["tenant"])
    client = client_for(partner["global_admin"])
    client.post(reverse("partners:manage"), {"customer": str(org_a.tenant.pk)})
    page = client.get(link_path(secret))
    assert page.status_code == 403 and 'id="answer-while-acting"' in page.content.decode()
    assert client.post(link_path(secret), {"answer": "accept"}).status_code == 403
    assert not DelegatedAdminRelationship.objects.filter(partner=other["tenant"]).exists()


# --- the customer's delegated administrators ------------------------------------------------------------------

def test_remove_asks_first_then_ends_access_and_mails_the_partner(partner, org_a, client_for,
                                                                  django_capture_on_commit_callbacks):
    relationship = relate(org_a.tenant, partner["tenant"], accepted_by=org_a.global_admin)
    client = client_for(org_a.global_admin)
    url = reverse("partners:delegated_admin_remove", args=[relationship.pk])
    assert url in client.get(DELEGATED).content.decode()
    confirmation = client.get(url).content.decode()
    assert "lose access to your organization at once" in confirmation
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response["Location"] == DELEGATED
    assert DelegatedAdminRelationship.objects.get(pk=relationship.pk).status == "removed"
    assert partner["global_admin"].alternate_email in {a for m in mail.outbox for a in m.to}
    assert "No partner administers your organization." in client.get(DELEGATED).content.decode()
    assert client.get(url).status_code == 404  # gone from the list, and nothing left to remove


@pytest.mark.parametrize("role_name, listing, remove", [
    ("global_admin", 200, 200), ("billing_admin", 200, 403), ("password_admin", 200, 403),
    ("service_admin", 200, 403), ("user_admin", 403, 403), ("user", 403, 403)])
def test_customer_roles(role_name, listing, remove, partner, org_a, client_for):
    relationship = relate(org_a.tenant, partner["tenant"], accepted_by=org_a.global_admin)
    client = client_for(org_a.member(role_name))
    assert client.get(DELEGATED).status_code == listing
    assert client.get(reverse("partners:delegated_admin_remove", args=[relationship.pk])).status_code == remove


def test_another_organization_gets_404_on_the_remove_page(partner, org_a, org_b, client_for):
    relationship = relate(org_a.tenant, partner["tenant"], accepted_by=org_a.global_admin)
    client = client_for(org_b.global_admin)
    url = reverse("partners:delegated_admin_remove", args=[relationship.pk])
    assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    assert "Fabrikam Partners" not in client.get(DELEGATED).content.decode()
    assert DelegatedAdminRelationship.objects.get(pk=relationship.pk).status == "active"


def test_the_delegated_admins_page_costs_the_same_for_1_and_6_partners(org_a, client_for,
                                                                       django_assert_max_num_queries):
    relate(org_a.tenant, make_tenant("dp0", plan=None)[0], accepted_by=org_a.global_admin)
    client = client_for(org_a.global_admin)
    client.get(DELEGATED)
    with django_assert_max_num_queries(20) as few:
        client.get(DELEGATED)
    cost = len(few.captured_queries)
    for n in range(1, 6):
        relate(org_a.tenant, make_tenant(f"dp{n}", plan=None)[0], accepted_by=org_a.global_admin)
    with django_assert_max_num_queries(cost):
        assert len(client.get(DELEGATED).context["relationships"]) == 6


def test_the_support_overview_links_the_delegated_admins_and_names_the_reseller(partner, org_a, client_for):
    relate(org_a.tenant, partner["tenant"], accepted_by=org_a.global_admin)
    PartnerProfile.objects.filter(tenant=partner["tenant"]).update(support_email="help@fabrikam.example",
                                                                   support_phone="+1 425 555 0100")
    Subscription.objects.filter(tenant=org_a.tenant).update(reseller=partner["tenant"])
    page = client_for(org_a.billing_admin).get(reverse("support:overview")).content.decode()
    assert DELEGATED in page and "Fabrikam Partners" in page
    assert 'id="support-partner-contact"' in page and "help@fabrikam.example" in page and "+1 425 555 0100" in page


# --- the staff site --------------------------------------------------------------------------------------------

def test_staff_enrol_a_partner_on_the_staff_site(org_a, client, django_user_model):
    staff = django_user_model.objects.create_superuser("ops@operator.example", "Staff#Pass123")
    client.force_login(staff, backend="users.backends.PrincipalNameBackend")
    response = client.post(reverse("admin:billing_partnerprofile_add"), {
        "tenant": str(org_a.tenant.pk), "partner_id": "778899", "support_email": "help@contoso.example",
        "support_phone": "", "support_url": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert PartnerProfile.objects.get(tenant=org_a.tenant).partner_id == "778899"
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="partner.enrol")
    assert event.actor_label == "ops@operator.example"
    for name in ("billing_delegatedadmininvitation_changelist", "billing_delegatedadminrelationship_changelist"):
        assert client.get(reverse(f"admin:{name}")).status_code == 200

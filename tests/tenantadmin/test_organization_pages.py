"""Organization profile: view for every admin, edit for global admins, country fixed for life."""

import pytest
from django.urls import reverse
from django.utils import timezone

from domains.models import Domain
from tenantadmin.models import AuditEvent, Tenant

pytestmark = pytest.mark.django_db

PROFILE = reverse("tenantadmin:organization")
EDIT = reverse("tenantadmin:organization_edit")


@pytest.fixture
def custom_domain(org_a):
    """A second verified domain of organization A, so the default domain can change."""
    return Domain.objects.create(tenant=org_a.tenant, name="contoso-a.com", status=Domain.Status.VERIFIED,
                                 verified_at=timezone.now())


def valid_post(tenant, **overrides) -> dict:
    data = {
        "name": tenant.name, "street": tenant.street, "city": tenant.city, "state": tenant.state,
        "postal_code": tenant.postal_code, "phone": tenant.phone, "technical_contact": tenant.technical_contact,
        "preferred_language": tenant.preferred_language, "default_domain": tenant.default_domain,
    }
    return {**data, **overrides}


def profile_of(tenant) -> dict:
    return Tenant.objects.filter(pk=tenant.pk).values().get()


def update_events(tenant):
    return AuditEvent.objects.filter(tenant=tenant, action="organization.update")


def test_profile_shows_the_country_as_fixed(org_a, client_for):
    response = client_for(org_a.global_admin).get(PROFILE)

    body = response.content.decode()
    assert response.status_code == 200
    assert "United States of America" in body
    assert "fixed" in body
    assert org_a.tenant.initial_domain in body
    assert 'id="edit-organization"' in body


def test_global_admin_saves_the_profile_and_it_is_audited(org_a, client_for, custom_domain):
    before = profile_of(org_a.tenant)
    data = valid_post(org_a.tenant, name="Contoso Holdings", street="1 Main Street", city="Redmond", state="WA",
                      postal_code="98052", phone="+1 425 555 0100", technical_contact="it@contoso-a.com",
                      preferred_language="de", default_domain="contoso-a.com")

    response = client_for(org_a.global_admin).post(EDIT, data)

    assert response.status_code == 302
    assert response.url == PROFILE
    after = profile_of(org_a.tenant)
    for field in ("name", "street", "city", "state", "postal_code", "phone", "technical_contact",
                  "preferred_language", "default_domain"):
        assert after[field] == data[field], field
    event = update_events(org_a.tenant).get()
    assert event.actor == org_a.global_admin
    assert event.changes["name"] == [before["name"], "Contoso Holdings"]
    assert event.changes["default_domain"] == [before["default_domain"], "contoso-a.com"]
    assert event.changes["preferred_language"] == ["en", "de"]
    assert event.changes["technical_contact"] == ["", "it@contoso-a.com"]


def test_saving_without_changes_writes_no_audit_event(org_a, client_for):
    response = client_for(org_a.global_admin).post(EDIT, valid_post(org_a.tenant))

    assert response.status_code == 302
    assert not update_events(org_a.tenant).exists()


def test_a_posted_country_is_ignored(org_a, client_for):
    response = client_for(org_a.global_admin).post(EDIT, valid_post(org_a.tenant, name="Renamed", country="DE"))

    assert response.status_code == 302
    tenant = Tenant.objects.get(pk=org_a.tenant.pk)
    assert tenant.name == "Renamed"
    assert tenant.country.code == "US"
    assert "country" not in update_events(org_a.tenant).get().changes


@pytest.mark.parametrize("field, value", [
    ("technical_contact", "not-an-address"),
    ("name", "x" * 101),
    ("name", ""),
    ("preferred_language", "xx"),
])
def test_invalid_values_are_refused_and_nothing_is_saved(field, value, org_a, client_for):
    before = profile_of(org_a.tenant)

    response = client_for(org_a.global_admin).post(EDIT, valid_post(org_a.tenant, city="Changed", **{field: value}))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert profile_of(org_a.tenant) == before
    assert not update_events(org_a.tenant).exists()


def test_an_unverified_domain_cannot_be_the_default(org_a, client_for):
    Domain.objects.create(tenant=org_a.tenant, name="pending.example.com")
    before = profile_of(org_a.tenant)

    response = client_for(org_a.global_admin).post(EDIT, valid_post(org_a.tenant, default_domain="pending.example.com"))

    assert response.status_code == 200
    assert "default_domain" in response.context["form"].errors
    assert profile_of(org_a.tenant) == before


def test_another_tenants_domain_cannot_be_the_default(org_a, org_b, client_for):
    Domain.objects.create(tenant=org_b.tenant, name="fabrikam.com", status=Domain.Status.VERIFIED,
                          verified_at=timezone.now())
    before = profile_of(org_a.tenant)
    client = client_for(org_a.global_admin)

    for foreign in (org_b.tenant.initial_domain, "fabrikam.com"):
        response = client.post(EDIT, valid_post(org_a.tenant, default_domain=foreign))

        assert response.status_code == 200
        assert "default_domain" in response.context["form"].errors
        assert foreign not in dict(response.context["form"].fields["default_domain"].choices)
    assert profile_of(org_a.tenant) == before


def test_edit_form_offers_only_own_verified_domains(org_a, org_b, client_for, custom_domain):
    Domain.objects.create(tenant=org_a.tenant, name="pending.example.com")

    form = client_for(org_a.global_admin).get(EDIT).context["form"]

    assert [value for value, _label in form.fields["default_domain"].choices] == [
        org_a.tenant.initial_domain, "contoso-a.com"]


def test_user_admin_may_view_but_not_edit(org_a, client_for):
    client = client_for(org_a.user_admin)
    before = profile_of(org_a.tenant)

    view = client.get(PROFILE)
    assert view.status_code == 200
    assert 'id="edit-organization"' not in view.content.decode()
    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, valid_post(org_a.tenant, name="Hijacked")).status_code == 403
    assert profile_of(org_a.tenant) == before


def test_profile_shows_only_the_viewers_organization(org_a, org_b, client_for):
    body = client_for(org_b.global_admin).get(PROFILE).content.decode()

    assert org_b.tenant.name in body
    assert org_a.tenant.initial_domain not in body

"""The add-domain wizard: names, the Public Suffix List, IDNs, the plan rule, names taken elsewhere."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from domains.models import Domain
from domains.services import domain_add
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.factories import make_tenant

ACTOR = Actor.system("tests")


def add(tenant, name):
    return domain_add(tenant=tenant, actor=ACTOR, name=name)


def test_add_stores_lower_case_and_audits(org_a):
    domain = add(org_a.tenant, "  Contoso.COM. ")
    assert domain.name == "contoso.com" and domain.status == Domain.Status.UNVERIFIED
    assert domain.next_check_at is not None and domain.polling_since is not None
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="domain.add", target_id=str(domain.pk)).exists()


def test_idn_is_stored_in_punycode(org_a):
    assert add(org_a.tenant, "Bücher.de").name == "xn--bcher-kva.de"


@pytest.mark.parametrize("name, code", [
    ("com", "public_suffix"),
    ("co.uk", "public_suffix"),
    ("contoso.notarealtld", "unknown_tld"),
    ("contoso", "invalid"),
    ("-contoso.com", "invalid"),
    ("http://contoso.com", "invalid"),
    ("admin@contoso.com", "invalid"),
    ("a" * 64 + ".com", "label_length"),
    (".".join(["a" * 60] * 5) + ".com", "length"),
    ("", "required"),
])
def test_bad_names_are_refused_with_a_reason(org_a, name, code):
    with pytest.raises(ValidationError) as caught:
        add(org_a.tenant, name)
    assert caught.value.code == code
    assert not Domain.objects.filter(tenant=org_a.tenant, is_initial=False).exists()


def test_enterprise_plan_accepts_sub_domains(org_a):
    assert add(org_a.tenant, "partners.contoso.co.uk").name == "partners.contoso.co.uk"


def test_small_business_plan_accepts_only_second_level_names(db):
    tenant, _admin = make_tenant("smallbiz", plan="LITEPACK")
    assert add(tenant, "contoso.co.uk").name == "contoso.co.uk"
    with pytest.raises(ValidationError) as caught:
        add(tenant, "partners.contoso.com")
    assert caught.value.code == "subdomain_not_allowed" and "contoso.com" in caught.value.messages[0]


def test_same_domain_twice_is_refused(org_a):
    add(org_a.tenant, "contoso.com")
    with pytest.raises(ValidationError) as caught:
        add(org_a.tenant, "CONTOSO.com")
    assert caught.value.code == "duplicate"


def test_domain_verified_by_another_tenant_is_refused_without_naming_it(org_a, org_b):
    theirs = add(org_b.tenant, "contoso.com")
    Domain.objects.filter(pk=theirs.pk).update(verified_at=theirs.created_at, status="verified")
    with pytest.raises(ValidationError) as caught:
        add(org_a.tenant, "contoso.com")
    assert caught.value.code == "taken"
    assert org_b.tenant.name not in caught.value.messages[0] and org_b.tenant.initial_domain not in caught.value.messages[0]


def test_unverified_claim_elsewhere_does_not_block(org_a, org_b):
    add(org_b.tenant, "contoso.com")
    assert add(org_a.tenant, "contoso.com").tenant == org_a.tenant


def test_initial_domain_suffix_is_reserved(org_a, settings):
    with pytest.raises(ValidationError):
        add(org_a.tenant, "other." + settings.INITIAL_DOMAIN_SUFFIX)


def test_wizard_page_adds_and_goes_to_verify_step(org_a, client_for):
    client = client_for(org_a.global_admin)
    assert client.get(reverse("domains:add")).status_code == 200
    response = client.post(reverse("domains:add"), {"name": "fabrikam.com"})
    assert response.status_code == 302 and response["Location"] == reverse("domains:detail", args=["fabrikam.com"])
    page = client.get(response["Location"]).content.decode()
    assert "MS=" in page and "Verify" in page


def test_wizard_shows_the_reason_on_the_field_and_adds_nothing(org_a, client_for):
    client = client_for(org_a.global_admin)
    response = client.post(reverse("domains:add"), {"name": "co.uk"})
    assert response.status_code == 200 and "public suffix" in response.content.decode()
    assert Domain.objects.filter(tenant=org_a.tenant).count() == 1


def test_role_without_write_gets_403_on_add(org_a, client_for):
    client = client_for(org_a.user_admin)
    assert client.get(reverse("domains:add")).status_code == 403
    assert client.post(reverse("domains:add"), {"name": "fabrikam.com"}).status_code == 403
    assert not Domain.objects.filter(name="fabrikam.com").exists()

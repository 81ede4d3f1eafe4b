"""Graph's isRoot on /v1.0/domains: false for a sub-domain of another of the organization's domains, computed in
the collection's own query (no query per domain), on every route that answers a domain."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from domains.dns.verification import txt_value
from domains.models import Domain
from domains.services import domain_add
from tenantadmin.actors import Actor
from tests.domains.domain_helpers import verified_domain
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")


@pytest.fixture
def api(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["Domain.ReadWrite.All"]))


def roots(api, params=None) -> dict[str, bool]:
    return {item["id"]: item["isRoot"] for item in api.get("/v1.0/domains", params).json()["value"]}


def test_sub_domains_of_the_organizations_domains_are_not_root(api, org_a):
    verified_domain(org_a.tenant, "contoso.com")
    verified_domain(org_a.tenant, "sales.contoso.com")
    domain_add(tenant=org_a.tenant, actor=ACTOR, name="eu.west.contoso.com")  # two levels down, unverified
    verified_domain(org_a.tenant, "notcontoso.com")  # shares the text, not the parent
    verified_domain(org_a.tenant, "fabrikam.com")

    assert roots(api) == {org_a.tenant.initial_domain: True, "contoso.com": True, "sales.contoso.com": False,
                          "eu.west.contoso.com": False, "notcontoso.com": True, "fabrikam.com": True}


def test_an_unverified_parent_counts_and_removing_it_makes_the_child_root(api, org_a):
    domain_add(tenant=org_a.tenant, actor=ACTOR, name="fabrikam.com")
    verified_domain(org_a.tenant, "mail.fabrikam.com")
    assert roots(api)["mail.fabrikam.com"] is False

    Domain.objects.filter(tenant=org_a.tenant, name="fabrikam.com").delete()
    assert roots(api)["mail.fabrikam.com"] is True


def test_another_organizations_parent_does_not_count(api, org_a, org_b):
    domain_add(tenant=org_b.tenant, actor=ACTOR, name="contoso.com")
    verified_domain(org_a.tenant, "sales.contoso.com")
    assert roots(api)["sales.contoso.com"] is True


def test_get_create_and_verify_answer_is_root_too(api, org_a, dns_server):
    verified_domain(org_a.tenant, "contoso.com")
    assert api.get("/v1.0/domains/sales.contoso.com").status_code == 404

    created = api.post("/v1.0/domains", {"id": "sales.contoso.com"})
    assert created.status_code == 201 and created.json()["isRoot"] is False
    assert api.get("/v1.0/domains/Sales.Contoso.com").json()["isRoot"] is False
    assert api.get("/v1.0/domains/contoso.com").json()["isRoot"] is True
    selected = api.get("/v1.0/domains/sales.contoso.com", {"$select": "isRoot"}).json()
    assert selected.pop("@odata.context").endswith("$metadata#domains(isRoot)/$entity")
    assert selected == {"id": "sales.contoso.com", "isRoot": False}

    domain = Domain.objects.get(tenant=org_a.tenant, name="sales.contoso.com")
    dns_server.add("sales.contoso.com", "TXT", txt_value(domain))
    verified = api.post("/v1.0/domains/sales.contoso.com/verify")
    assert verified.status_code == 200 and verified.json()["isVerified"] is True and verified.json()["isRoot"] is False


def test_filter_on_is_root(api, org_a):
    verified_domain(org_a.tenant, "contoso.com")
    verified_domain(org_a.tenant, "sales.contoso.com")

    assert list(roots(api, {"$filter": "isRoot eq false"})) == ["sales.contoso.com"]
    assert set(roots(api, {"$filter": "isRoot eq true"})) == {org_a.tenant.initial_domain, "contoso.com"}
    assert_graph_error(api.get("/v1.0/domains", {"$orderby": "isRoot"}), 400, "Request_UnsupportedQuery")


def test_the_collection_costs_the_same_queries_for_3_and_30_domains(api, org_a):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/v1.0/domains").status_code == 200
        return len(captured)

    verified_domain(org_a.tenant, "contoso.com")
    verified_domain(org_a.tenant, "sales.contoso.com")
    few = queries()
    for n in range(28):
        verified_domain(org_a.tenant, f"team{n}.contoso.com")
    assert queries() == few
    assert sum(1 for is_root in roots(api).values() if not is_root) == 29


def test_another_organization_gets_404_and_an_app_without_domain_rights_403(client, org_a, org_b):
    verified_domain(org_a.tenant, "contoso.com")
    verified_domain(org_a.tenant, "sales.contoso.com")
    theirs = Api(client, token_for(client, org_b.tenant, ["Domain.Read.All"], name="B's app"))
    assert_graph_error(theirs.get("/v1.0/domains/sales.contoso.com"), 404, "Request_ResourceNotFound")
    assert "sales.contoso.com" not in roots(theirs)
    no_rights = Api(client, token_for(client, org_a.tenant, ["User.Read.All"], name="Users app"))
    assert_graph_error(no_rights.get("/v1.0/domains"), 403, "Authorization_RequestDenied")

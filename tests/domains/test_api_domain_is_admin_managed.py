"""Graph's isAdminManaged on /v1.0/domains: false when the domain's DNS is hosted by the service (its name servers
point at ours), true while the admin manages the records at their own DNS host; on every route that answers a
domain, and through $select."""

import pytest

from domains.models import Domain
from domains.services import domain_add
from domains.zones import domain_set_mode
from tenantadmin.actors import Actor
from tests.domains.domain_helpers import hosted_domain, verified_domain
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")


@pytest.fixture
def api(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["Domain.Read.All"]))


def test_only_a_domain_whose_dns_we_host_is_not_admin_managed(api, org_a):
    domain_add(tenant=org_a.tenant, actor=ACTOR, name="unverified.com")
    verified_domain(org_a.tenant, "waiting.com")
    domain_set_mode(domain=verified_domain(org_a.tenant, "ownhost.com"), actor=ACTOR, mode=Domain.Hosting.NO_NS_SWITCH)
    hosted_domain(org_a.tenant, "hosted.com")

    managed = {item["id"]: item["isAdminManaged"] for item in api.get("/v1.0/domains").json()["value"]}

    assert managed == {org_a.tenant.initial_domain: True, "unverified.com": True, "waiting.com": True,
                       "ownhost.com": True, "hosted.com": False}
    assert api.get("/v1.0/domains/hosted.com").json()["isAdminManaged"] is False
    assert api.get("/v1.0/domains/ownhost.com").json()["isAdminManaged"] is True


def test_select_is_admin_managed(api, org_a):
    hosted_domain(org_a.tenant, "hosted.com")

    body = api.get("/v1.0/domains/hosted.com", {"$select": "isAdminManaged"}).json()
    listed = api.get("/v1.0/domains", {"$select": "id,isAdminManaged"}).json()["value"]

    assert {key: value for key, value in body.items() if not key.startswith("@")} == {"id": "hosted.com",
                                                                                        "isAdminManaged": False}
    assert {item["id"]: item["isAdminManaged"] for item in listed}["hosted.com"] is False
    assert_graph_error(api.get("/v1.0/domains", {"$filter": "isAdminManaged eq false"}), 400,
                       "Request_UnsupportedQuery")


def test_another_organization_gets_404_and_an_app_without_domain_rights_403(client, org_a, org_b):
    hosted_domain(org_a.tenant, "hosted.com")
    theirs = Api(client, token_for(client, org_b.tenant, ["Domain.Read.All"], name="B"))
    assert_graph_error(theirs.get("/v1.0/domains/hosted.com", {"$select": "isAdminManaged"}), 404,
                       "Request_ResourceNotFound")
    nobody = Api(client, token_for(client, org_a.tenant, ["User.Read.All"], name="Other"))
    assert_graph_error(nobody.get("/v1.0/domains/hosted.com"), 403, "Authorization_RequestDenied")

"""Graph's /v1.0/domains over the real DNS server: shapes, verify 200/400, records, isolation and permissions."""

import pytest

from domains.dns.verification import mx_target, txt_value
from domains.models import Domain
from tests.domains.domain_helpers import hosted_domain, verified_domain
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for


@pytest.fixture
def api(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["Domain.ReadWrite.All"]))


def test_list_has_graph_shape_with_initial_default_domain(api, org_a):
    body = api.get("/v1.0/domains").json()
    assert body["@odata.context"].endswith("$metadata#domains")
    [initial] = body["value"]
    assert initial["id"] == org_a.tenant.initial_domain
    assert initial["isInitial"] and initial["isDefault"] and initial["isVerified"] and initial["isRoot"]
    assert initial["isAdminManaged"] is True  # as Graph answers for the initial domain
    assert initial["authenticationType"] == "Managed" and "Email" in initial["supportedServices"]


def test_create_verify_400_then_200(api, org_a, dns_server):
    response = api.post("/v1.0/domains", {"id": "Contoso.com"})
    assert response.status_code == 201 and response.json()["id"] == "contoso.com"
    assert response.json()["isVerified"] is False
    error = assert_graph_error(api.post("/v1.0/domains/contoso.com/verify"), 400, "BadRequest")
    assert "verification failed" in error["message"].lower()
    domain = Domain.objects.get(tenant=org_a.tenant, name="contoso.com")
    dns_server.add("contoso.com", "TXT", txt_value(domain))
    response = api.post("/v1.0/domains/contoso.com/verify")
    assert response.status_code == 200 and response.json()["isVerified"] is True


def test_create_bad_name_is_400_and_adds_nothing(api, org_a):
    assert_graph_error(api.post("/v1.0/domains", {"id": "co.uk"}), 400, "BadRequest")
    assert Domain.objects.filter(tenant=org_a.tenant).count() == 1


def test_verification_records_have_graph_shapes(api, org_a):
    api.post("/v1.0/domains", {"id": "contoso.com"})
    domain = Domain.objects.get(tenant=org_a.tenant, name="contoso.com")
    values = api.get("/v1.0/domains/contoso.com/verificationDnsRecords").json()["value"]
    txt = next(v for v in values if v["recordType"] == "Txt")
    mx = next(v for v in values if v["recordType"] == "Mx")
    assert txt["text"] == txt_value(domain) and txt["label"] == "contoso.com" and txt["ttl"] == 3600
    assert mx["mailExchange"] == mx_target(domain) and mx["preference"] == 32767
    assert txt["@odata.type"] == "#microsoft.graph.domainDnsTxtRecord"


def test_service_configuration_records(api, org_a):
    verified_domain(org_a.tenant, "contoso.com")
    values = api.get("/v1.0/domains/contoso.com/serviceConfigurationRecords").json()["value"]
    types = sorted(v["recordType"] for v in values)
    assert types == ["Cname", "Cname", "Cname", "Mx", "Srv", "Srv", "Txt"]
    srv = next(v for v in values if v["recordType"] == "Srv" and v["service"] == "_sip")
    assert srv["protocol"] == "_tls" and srv["port"] == 443


def test_patch_is_default_and_delete_starts_removal(api, org_a, django_capture_on_commit_callbacks):
    verified_domain(org_a.tenant, "contoso.com")
    assert api.patch("/v1.0/domains/contoso.com", {"isDefault": True}).status_code == 204
    org_a.tenant.refresh_from_db()
    assert org_a.tenant.default_domain == "contoso.com"
    assert_graph_error(api.delete("/v1.0/domains/contoso.com"), 400, "BadRequest")  # it is the default
    api.patch(f"/v1.0/domains/{org_a.tenant.initial_domain}", {"isDefault": True})
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete("/v1.0/domains/contoso.com").status_code == 204
    assert not Domain.objects.filter(name="contoso.com").exists()


def test_initial_domain_cannot_be_deleted(api, org_a):
    assert_graph_error(api.delete(f"/v1.0/domains/{org_a.tenant.initial_domain}"), 400, "BadRequest")


def test_dns_records_crud_with_validation(api, org_a):
    domain, record = hosted_domain(org_a.tenant, "contoso.com")
    base = "/v1.0/tenantadmin/domains/contoso.com/dnsRecords"
    listed = api.get(base).json()["value"]
    assert any(v["isSystem"] for v in listed) and any(v["id"] == str(record.pk) for v in listed)
    created = api.post(base, {"recordType": "MX", "name": "@", "value": "backup.fabrikam.com", "priority": 20,
                              "ttl": 3600})
    assert created.status_code == 201
    assert_graph_error(api.post(base, {"recordType": "CNAME", "name": "intranet", "value": "x.fabrikam.com"}),
                       400, "BadRequest")
    assert_graph_error(api.post(base, {"recordType": "MX", "name": "@", "value": "m.fabrikam.com", "priority": 70000}),
                       400, "BadRequest")
    changed = api.patch(f"{base}/{record.pk}", {"value": "192.0.2.20"})
    assert changed.status_code == 200 and changed.json()["value"] == "192.0.2.20"
    system = domain.dns_records.filter(is_system=True).first()
    assert_graph_error(api.patch(f"{base}/{system.pk}", {"ttl": 600}), 400, "BadRequest")
    assert api.delete(f"{base}/{record.pk}").status_code == 204


def test_other_tenant_gets_404(client, org_a, org_b):
    verified_domain(org_a.tenant, "contoso.com")
    theirs = Api(client, token_for(client, org_b.tenant, ["Domain.ReadWrite.All"], name="B"))
    for path in ("/v1.0/domains/contoso.com", "/v1.0/domains/contoso.com/verificationDnsRecords"):
        assert_graph_error(theirs.get(path), 404, "Request_ResourceNotFound")
    assert_graph_error(theirs.post("/v1.0/domains/contoso.com/verify"), 404, "Request_ResourceNotFound")
    assert [v["id"] for v in theirs.get("/v1.0/domains").json()["value"]] == [org_b.tenant.initial_domain]


def test_read_permission_cannot_write(client, org_a):
    reader = Api(client, token_for(client, org_a.tenant, ["Domain.Read.All"], name="Reader"))
    assert reader.get("/v1.0/domains").status_code == 200
    assert_graph_error(reader.post("/v1.0/domains", {"id": "contoso.com"}), 403, "Authorization_RequestDenied")
    nobody = Api(client, token_for(client, org_a.tenant, ["User.Read.All"], name="Other"))
    assert_graph_error(nobody.get("/v1.0/domains"), 403, "Authorization_RequestDenied")


def _person_token(client, user):
    from tests.tenantadmin.api.apihelpers import password_grant, register_public_client, request_token

    app = register_public_client(user.tenant)
    response = request_token(client, user.tenant_id, **password_grant(
        app, user.upn, scope="User.Read Directory.AccessAsUser.All"))
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def test_person_tokens_follow_the_portal_roles(client, org_a):
    admin = Api(client, _person_token(client, org_a.global_admin))
    assert admin.post("/v1.0/domains", {"id": "contoso.com"}).status_code == 201
    reader = Api(client, _person_token(client, org_a.user_admin))
    assert reader.get("/v1.0/domains/contoso.com").status_code == 200
    assert_graph_error(reader.post("/v1.0/domains/contoso.com/verify"), 403, "Authorization_RequestDenied")
    billing = Api(client, _person_token(client, org_a.billing_admin))
    assert_graph_error(billing.get("/v1.0/domains"), 403, "Authorization_RequestDenied")

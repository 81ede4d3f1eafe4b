"""/v1.0/organization: read the caller's organization, change its profile, never touch another's."""

import uuid

import pytest

from tenantadmin.models import AuditEvent, Tenant
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, mint_token, register_app, token_for


@pytest.fixture
def reader(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["Organization.Read.All"]))


@pytest.fixture
def writer(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["Organization.ReadWrite.All"], name="Profile sync"))


def test_list_holds_the_callers_organization_only(reader, org_a, org_b, settings):
    response = reader.get("/v1.0/organization")

    assert response.status_code == 200
    body = response.json()
    assert body["@odata.context"] == f"{settings.PUBLIC_URL}/v1.0/$metadata#organization"
    assert "@odata.nextLink" not in body
    [organization] = body["value"]
    assert organization["id"] == str(org_a.tenant.pk)
    assert organization["displayName"] == org_a.tenant.name
    assert organization["countryLetterCode"] == "US"
    assert organization["tenantType"] == "AAD"
    assert organization["businessPhones"] == [] and organization["technicalNotificationMails"] == []
    assert organization["createdDateTime"].endswith("Z")
    assert organization["verifiedDomains"] == [{
        "name": org_a.tenant.initial_domain, "isDefault": True, "isInitial": True, "type": "Managed",
        "capabilities": "Email, OfficeCommunicationsOnline",
    }]


def test_get_by_id_with_select(reader, org_a, settings):
    response = reader.get(f"/v1.0/organization/{org_a.tenant.pk}", {"$select": "displayName,countryLetterCode"})

    assert response.status_code == 200
    assert response.json() == {
        "@odata.context": f"{settings.PUBLIC_URL}/v1.0/$metadata#organization(displayName,countryLetterCode)/$entity",
        "id": str(org_a.tenant.pk), "displayName": org_a.tenant.name, "countryLetterCode": "US",
    }


def test_select_on_the_collection(reader, org_a):
    body = reader.get("/v1.0/organization", {"$select": "verifiedDomains"}).json()
    assert body["value"] == [{"id": str(org_a.tenant.pk), "verifiedDomains": body["value"][0]["verifiedDomains"]}]


def test_unverified_domains_are_not_listed(reader, org_a):
    org_a.tenant.domains.create(name="pending.example")
    names = [d["name"] for d in reader.get(f"/v1.0/organization/{org_a.tenant.pk}").json()["verifiedDomains"]]
    assert names == [org_a.tenant.initial_domain]


def test_broader_directory_permission_also_reads(client, org_a):
    api = Api(client, token_for(client, org_a.tenant, ["Directory.Read.All"]))
    assert api.get("/v1.0/organization").status_code == 200


def test_token_without_organization_permission_gets_403(client, org_a):
    api = Api(client, token_for(client, org_a.tenant, ["AuditLog.Read.All"]))
    assert_graph_error(api.get("/v1.0/organization"), 403, "Authorization_RequestDenied")
    assert_graph_error(api.get(f"/v1.0/organization/{org_a.tenant.pk}"), 403, "Authorization_RequestDenied")


@pytest.mark.parametrize("org_id", [str(uuid.uuid4()), "not-a-guid"])
def test_unknown_id_is_404(reader, org_id):
    assert_graph_error(reader.get(f"/v1.0/organization/{org_id}"), 404, "Request_ResourceNotFound")


def test_other_tenant_gets_404_for_this_organization(client, org_a, org_b):
    api_b = Api(client, token_for(client, org_b.tenant, ["Organization.ReadWrite.All"]))
    missing = api_b.get(f"/v1.0/organization/{uuid.uuid4()}").json()["error"]["message"]

    error = assert_graph_error(api_b.get(f"/v1.0/organization/{org_a.tenant.pk}"), 404, "Request_ResourceNotFound")
    assert error["message"] == missing  # the same answer as for an id that does not exist
    assert_graph_error(api_b.patch(f"/v1.0/organization/{org_a.tenant.pk}", {"city": "Elsewhere"}), 404,
                       "Request_ResourceNotFound")
    assert Tenant.objects.get(pk=org_a.tenant.pk).city == ""


def test_patch_changes_the_profile_and_audits_the_app(writer, org_a):
    response = writer.patch(f"/v1.0/organization/{org_a.tenant.pk}", {
        "displayName": "Contoso Europe", "street": "1 Main St", "city": "Berlin", "postalCode": "10115",
        "businessPhones": ["+49 30 1234"], "technicalNotificationMails": ["it@contoso.example"],
        "preferredLanguage": "de",
    })

    assert response.status_code == 204
    tenant = Tenant.objects.get(pk=org_a.tenant.pk)
    assert (tenant.name, tenant.street, tenant.city, tenant.postal_code) == ("Contoso Europe", "1 Main St", "Berlin",
                                                                            "10115")
    assert (tenant.phone, tenant.technical_contact, tenant.preferred_language) == ("+49 30 1234",
                                                                                  "it@contoso.example", "de")
    event = AuditEvent.objects.get(tenant=tenant, action="organization.update")
    assert event.actor_type == "app"
    assert event.actor_label.startswith("Profile sync (app ")
    assert event.changes["city"] == ["", "Berlin"]
    assert event.changes["name"] == [org_a.tenant.name, "Contoso Europe"]


def test_patch_with_empty_lists_and_nulls_clears(writer, org_a):
    writer.patch(f"/v1.0/organization/{org_a.tenant.pk}", {"businessPhones": ["123"], "city": "Oslo"})
    response = writer.patch(f"/v1.0/organization/{org_a.tenant.pk}", {"businessPhones": [], "city": None})

    assert response.status_code == 204
    tenant = Tenant.objects.get(pk=org_a.tenant.pk)
    assert (tenant.phone, tenant.city) == ("", "")


def test_patch_country_is_refused_and_nothing_changes(writer, org_a):
    response = writer.patch(f"/v1.0/organization/{org_a.tenant.pk}", {"countryLetterCode": "DE", "city": "Berlin"})

    error = assert_graph_error(response, 400, "BadRequest")
    assert "countryLetterCode" in error["message"] and "fixed" in error["message"]
    tenant = Tenant.objects.get(pk=org_a.tenant.pk)
    assert (str(tenant.country), tenant.city) == ("US", "")
    assert not AuditEvent.objects.filter(tenant=tenant, action="organization.update").exists()


@pytest.mark.parametrize(("body", "named"), [
    ({"id": str(uuid.uuid4())}, "id"),
    ({"verifiedDomains": []}, "verifiedDomains"),
    ({"favouriteColour": "blue"}, "favouriteColour"),
    ({"display_name": "snake case is not Graph"}, "display_name"),
    ({"businessPhones": ["1", "2"]}, "businessPhones"),
    ({"technicalNotificationMails": ["not-an-address"]}, "technicalNotificationMails"),
    ({"preferredLanguage": "tlh"}, "preferredLanguage"),
    ({"preferredLanguage": None}, "preferredLanguage"),
    ({"displayName": "  "}, "displayName"),
    ({"postalCode": "9" * 41}, "postalCode"),
])
def test_patch_rejects_bad_input_naming_the_property(writer, org_a, body, named):
    error = assert_graph_error(writer.patch(f"/v1.0/organization/{org_a.tenant.pk}", body), 400, "BadRequest")
    assert named in error["message"]
    assert not AuditEvent.objects.filter(tenant=org_a.tenant, action="organization.update").exists()


def test_patch_needs_the_write_permission(reader, org_a):
    response = reader.patch(f"/v1.0/organization/{org_a.tenant.pk}", {"city": "Berlin"})
    assert_graph_error(response, 403, "Authorization_RequestDenied")
    assert Tenant.objects.get(pk=org_a.tenant.pk).city == ""


def test_reads_cost_a_fixed_number_of_queries(client, org_a, django_assert_max_num_queries):
    app, _secret, plain = register_app(org_a.tenant, ["Organization.Read.All"])
    api = Api(client, mint_token(client, app, plain))
    with django_assert_max_num_queries(3):  # token, organization, verified domains
        assert api.get("/v1.0/organization").status_code == 200

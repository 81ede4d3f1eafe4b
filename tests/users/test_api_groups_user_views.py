"""/v1.0/tenantadmin/userViews (our extension): custom views of the Users page through the API, the users each
shows, the 50-view limit, permissions and tenant isolation."""

import pytest

from tenantadmin.actors import Actor
from tenantadmin.api.app import api as ninja_api
from tenantadmin.roles import ROLE_TEMPLATE_IDS, Role
from tests.factories import make_user
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for, user_token
from users.custom_view_services import MAX_CUSTOM_VIEWS, custom_view_create
from users.group_services import group_create, group_members_add
from users.models import CustomView

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")
VIEWS = "/v1.0/tenantadmin/userViews"


@pytest.fixture
def writer(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["User.ReadWrite.All"]))


def test_create_translates_the_filters_both_ways(writer, org_a):
    group = group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Sellers")
    body = {"displayName": "Blocked sellers", "filters": {
        "accountEnabled": False, "memberOfGroupId": str(group.pk), "usageLocation": "de",
        "roleTemplateId": ROLE_TEMPLATE_IDS[Role.USER_ADMIN], "domain": org_a.tenant.initial_domain.upper()}}

    response = writer.post(VIEWS, body)

    assert response.status_code == 201, response.content
    view = CustomView.objects.get(tenant=org_a.tenant)
    assert view.filters == {"domain": org_a.tenant.initial_domain, "country": "DE", "sign_in": "blocked",
                            "role": Role.USER_ADMIN, "group": str(group.pk)}
    answer = response.json()
    assert answer["@odata.context"].endswith("#tenantadmin/userViews/$entity")
    assert answer["filters"] == {"domain": org_a.tenant.initial_domain, "usageLocation": "DE", "accountEnabled": False,
                                 "roleTemplateId": ROLE_TEMPLATE_IDS[Role.USER_ADMIN], "memberOfGroupId": str(group.pk)}
    assert answer["createdBy"] is None  # an app made it
    assert answer["displayName"] == "Blocked sellers"


def test_list_get_patch_delete(client, writer, org_a):
    admin = Api(client, user_token(client, org_a.user_admin))
    created = admin.post(VIEWS, {"displayName": "Blocked", "filters": {"accountEnabled": False}}).json()
    url = f"{VIEWS}/{created['id']}"

    listed = writer.get(VIEWS).json()["value"]
    assert [(v["displayName"], v["createdBy"]["userPrincipalName"]) for v in listed] == [("Blocked", org_a.user_admin.upn)]
    assert writer.get(url, {"$select": "displayName"}).json()["displayName"] == "Blocked"

    assert writer.patch(url, {"displayName": "Unlicensed", "filters": {"withoutLicenses": True}}).status_code == 204
    view = CustomView.objects.get(pk=created["id"])
    assert (view.name, view.filters) == ("Unlicensed", {"unlicensed": True})

    assert writer.delete(url).status_code == 204
    assert_graph_error(writer.get(url), 404, "Request_ResourceNotFound")


def test_the_users_of_a_view(writer, org_a):
    group = group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Sellers")
    blocked = make_user(org_a.tenant, "blocked", is_active=False)
    group_members_add(group=group, actor=ACTOR, user_ids=[blocked.pk, org_a.user.pk])
    view = custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="Blocked sellers",
                              filters={"group": str(group.pk), "sign_in": "blocked"})

    body = writer.get(f"{VIEWS}/{view.pk}/users").json()

    assert [item["userPrincipalName"] for item in body["value"]] == [blocked.upn]


@pytest.mark.parametrize("filters, text", [
    ({"usageLocation": "XX"}, "filters.usageLocation"),
    ({"skuId": "nope"}, "filters.skuId"),
    ({"roleTemplateId": "00000000-0000-0000-0000-000000000000"}, "filters.roleTemplateId"),
    ({}, "at least one filter"),
])
def test_bad_filters_are_400_naming_the_api_property(writer, filters, text):
    error = assert_graph_error(writer.post(VIEWS, {"displayName": "V", "filters": filters}), 400, "BadRequest")
    assert text in error["message"]
    assert not CustomView.objects.exists()


def test_unknown_filters_and_a_taken_name_are_400(writer, org_a):
    custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="Blocked", filters={"sign_in": "blocked"})
    assert_graph_error(writer.post(VIEWS, {"displayName": "V", "filters": {"colour": "red"}}), 400, "BadRequest")
    error = assert_graph_error(writer.post(VIEWS, {"displayName": "BLOCKED", "filters": {"accountEnabled": False}}),
                               400, "BadRequest")
    assert "displayName" in error["message"]


def test_the_51st_view_is_refused_as_a_quota(writer, org_a):
    CustomView.objects.bulk_create(CustomView(tenant=org_a.tenant, name=f"View {n}", filters={"sign_in": "blocked"})
                                   for n in range(MAX_CUSTOM_VIEWS))
    error = assert_graph_error(writer.post(VIEWS, {"displayName": "One more", "filters": {"accountEnabled": True}}),
                               400, "Directory_QuotaExceeded")
    assert "50" in error["message"]
    assert CustomView.objects.filter(tenant=org_a.tenant).count() == MAX_CUSTOM_VIEWS


def test_other_tenant_gets_404_and_changes_nothing(client, org_a, org_b):
    view = custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="Blocked", filters={"sign_in": "blocked"})
    api = Api(client, token_for(client, org_b.tenant, ["Directory.ReadWrite.All"]))
    url = f"{VIEWS}/{view.pk}"
    for response in (api.get(url), api.get(f"{url}/users"), api.patch(url, {"displayName": "B's"}), api.delete(url)):
        assert_graph_error(response, 404, "Request_ResourceNotFound")
    assert api.get(VIEWS).json()["value"] == []
    view.refresh_from_db()
    assert view.name == "Blocked"


def test_read_permission_cannot_write_and_others_get_403(client, org_a):
    reader = Api(client, token_for(client, org_a.tenant, ["User.Read.All"], name="Reader"))
    assert reader.get(VIEWS).status_code == 200
    assert_graph_error(reader.post(VIEWS, {"displayName": "V", "filters": {"accountEnabled": False}}), 403,
                       "Authorization_RequestDenied")
    outsider = Api(client, token_for(client, org_a.tenant, ["Group.Read.All"], name="Outsider"))
    assert_graph_error(outsider.get(VIEWS), 403, "Authorization_RequestDenied")
    service_admin = Api(client, user_token(client, org_a.service_admin))
    assert_graph_error(service_admin.post(VIEWS, {"displayName": "V", "filters": {"accountEnabled": False}}), 403,
                       "Authorization_RequestDenied")
    assert not CustomView.objects.exists()


def test_the_extension_is_in_the_openapi_document(client):
    document = client.get("/v1.0/openapi.json").json()
    assert "/v1.0/tenantadmin/userViews" in document["paths"]
    assert "/v1.0/groups/{group_id}/members/$ref" in document["paths"]
    assert "userViews" in ninja_api.description

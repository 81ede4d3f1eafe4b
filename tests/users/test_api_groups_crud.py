"""/v1.0/groups, a group's members ($ref add and remove) and /v1.0/users/{id}/memberOf: Graph's shapes, rules,
permissions (apps and people), tenant isolation and a fixed query count per page."""

from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.factories import make_user
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for, user_token
from users.custom_view_services import custom_view_create
from users.group_services import group_create, group_members_add
from users.models import CustomView, GroupMembership, SecurityGroup, User

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")
GROUPS = "/v1.0/groups"
NEW = {"displayName": "Sales", "mailNickname": "sales", "mailEnabled": False, "securityEnabled": True}


@pytest.fixture
def writer(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["Group.ReadWrite.All"]))


@pytest.fixture
def reader(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["Group.Read.All"], name="Reader"))


def make_group(org, name="Sales", members=()):
    group = group_create(tenant=org.tenant, actor=ACTOR, display_name=name, description="Sellers")
    if members:
        group_members_add(group=group, actor=ACTOR, user_ids=[user.pk for user in members])
    return group


def ref(user, base="https://graph.microsoft.com/v1.0/directoryObjects"):
    return {"@odata.id": f"{base}/{user.pk}"}


def follow(api, url):
    items = []
    while url:
        body = api.get(url).json()
        items += body["value"]
        link = body.get("@odata.nextLink")
        url = link and f"{urlsplit(link).path}?{urlsplit(link).query}"
    return items


# --- groups --------------------------------------------------------------------------------------

def test_create_answers_201_with_the_graph_group_shape(writer, org_a):
    response = writer.post(GROUPS, {**NEW, "description": "Sellers", "groupTypes": []})

    assert response.status_code == 201, response.content
    body = response.json()
    group = SecurityGroup.objects.get(tenant=org_a.tenant)
    assert body["@odata.context"].endswith("/v1.0/$metadata#groups/$entity")
    assert body["id"] == str(group.pk) and body["displayName"] == "Sales" and body["description"] == "Sellers"
    assert (body["mailNickname"], body["mailEnabled"], body["securityEnabled"], body["groupTypes"]) == (
        "sales", False, True, [])
    assert body["mail"] is None and body["securityIdentifier"].startswith("S-1-12-1-")
    assert body["createdDateTime"].endswith("Z")
    assert AuditEvent.objects.filter(action="group.create", target_id=str(group.pk)).exists()


def test_create_with_members_bind(writer, org_a):
    body = {**NEW, "members@odata.bind": [ref(org_a.user)["@odata.id"],
                                          f"https://example.test/v1.0/users/{org_a.user_admin.upn}"]}
    response = writer.post(GROUPS, body)
    assert response.status_code == 201, response.content
    group = SecurityGroup.objects.get(tenant=org_a.tenant)
    assert set(GroupMembership.objects.filter(group=group).values_list("user_id", flat=True)) == {
        org_a.user.pk, org_a.user_admin.pk}


def test_create_with_a_foreign_member_creates_nothing(writer, org_a, org_b):
    response = writer.post(GROUPS, {**NEW, "members@odata.bind": [ref(org_b.user)["@odata.id"]]})
    assert_graph_error(response, 400, "Request_BadRequest")
    assert not SecurityGroup.objects.filter(tenant=org_a.tenant).exists()


@pytest.mark.parametrize("change", [{"mailEnabled": True}, {"securityEnabled": False}, {"groupTypes": ["Unified"]}])
def test_only_security_groups_can_be_created(writer, org_a, change):
    assert_graph_error(writer.post(GROUPS, {**NEW, **change}), 400, "Request_BadRequest")
    assert not SecurityGroup.objects.exists()


@pytest.mark.parametrize("body, text", [
    ({k: v for k, v in NEW.items() if k != "mailNickname"}, "'mailNickname' is required"),
    ({**NEW, "displayName": ""}, "displayName"),
    ({**NEW, "mailNickname": "has space"}, "mailNickname"),
    ({**NEW, "visibility": "Public"}, "'visibility' does not exist"),
])
def test_bad_bodies_are_400_naming_the_property(writer, body, text):
    error = assert_graph_error(writer.post(GROUPS, body), 400, "BadRequest")
    assert text in error["message"]
    assert not SecurityGroup.objects.exists()


def test_a_taken_name_in_any_case_is_400(writer, org_a):
    make_group(org_a, "Sales")
    error = assert_graph_error(writer.post(GROUPS, {**NEW, "displayName": "SALES"}), 400, "BadRequest")
    assert "already exists" in error["message"]


def test_list_filters_sorts_and_pages(reader, org_a, org_b):
    SecurityGroup.objects.bulk_create(SecurityGroup(tenant=org_a.tenant, display_name=f"Team {n:03}") for n in range(25))
    make_group(org_b, "Team B")

    items = follow(reader, f"{GROUPS}?$top=10")
    assert [item["displayName"] for item in items] == [f"Team {n:03}" for n in range(25)]
    body = reader.get(GROUPS, {"$filter": "startswith(displayName,'team 01')", "$count": "true",
                               "$select": "displayName"}).json()
    assert body["@odata.count"] == 10 and set(body["value"][0]) == {"id", "displayName"}
    assert reader.get(GROUPS, {"$orderby": "displayName desc", "$top": "1"}).json()["value"][0]["displayName"] == "Team 024"


def test_get_patch_delete(writer, org_a):
    group = make_group(org_a, members=[org_a.user])
    custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="Sellers", filters={"group": str(group.pk)})
    url = f"{GROUPS}/{group.pk}"

    assert writer.get(url, {"$select": "displayName"}).json()["displayName"] == "Sales"
    assert writer.patch(url, {"displayName": "Sales EU", "description": None}).status_code == 204
    group.refresh_from_db()
    assert (group.display_name, group.description) == ("Sales EU", "")
    assert_graph_error(writer.patch(url, {"displayName": None}), 400, "BadRequest")

    assert writer.delete(url).status_code == 204
    assert not SecurityGroup.objects.filter(pk=group.pk).exists()
    assert not CustomView.objects.filter(tenant=org_a.tenant).exists()
    assert_graph_error(writer.get(url), 404, "Request_ResourceNotFound")


def test_a_malformed_id_is_404(reader):
    assert_graph_error(reader.get(f"{GROUPS}/not-a-guid"), 404, "Request_ResourceNotFound")


# --- members -------------------------------------------------------------------------------------

def test_members_are_live_users_as_directory_objects_with_paging(reader, org_a):
    gone = make_user(org_a.tenant, "gone")
    group = make_group(org_a, members=[org_a.user, org_a.user_admin, gone])
    User.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())

    body = reader.get(f"{GROUPS}/{group.pk}/members", {"$top": "1"}).json()
    items = follow(reader, f"{GROUPS}/{group.pk}/members?$top=1")

    assert body["@odata.context"].endswith("#directoryObjects") and "@odata.nextLink" in body
    assert body["value"][0]["@odata.type"] == "#microsoft.graph.user"
    assert {item["id"] for item in items} == {str(org_a.user.pk), str(org_a.user_admin.pk)}


@pytest.mark.parametrize("count", [3, 30])
def test_a_members_page_costs_the_same_queries_for_3_and_30(reader, org_a, count):
    group = make_group(org_a)
    users = User.objects.bulk_create(User(tenant=org_a.tenant, upn=f"m{n:03}@{org_a.tenant.initial_domain}",
                                          display_name=f"M {n:03}") for n in range(count))
    group_members_add(group=group, actor=ACTOR, user_ids=[u.pk for u in users])
    reader.get(f"{GROUPS}/{group.pk}/members")

    with CaptureQueriesContext(connection) as captured:
        response = reader.get(f"{GROUPS}/{group.pk}/members")

    assert len(response.json()["value"]) == count
    # The token check (app, secret and organization in one), the group, the page of members, their licenses.
    assert len(captured) == 4, [q["sql"][:80] for q in captured]


@pytest.mark.parametrize("base", ["https://graph.microsoft.com/v1.0/directoryObjects", "https://admin.example/v1.0/users",
                                  "http://localhost/v1.0/directoryObjects"])
def test_add_member_by_ref_from_any_base_url(writer, org_a, base):
    group = make_group(org_a)
    response = writer.post(f"{GROUPS}/{group.pk}/members/$ref", ref(org_a.user, base))
    assert response.status_code == 204, response.content
    assert GroupMembership.objects.filter(group=group, user=org_a.user).exists()


def test_adding_a_member_twice_is_400_as_in_graph(writer, org_a):
    group = make_group(org_a, members=[org_a.user])
    error = assert_graph_error(writer.post(f"{GROUPS}/{group.pk}/members/$ref", ref(org_a.user)), 400,
                               "Request_BadRequest")
    assert "already exist" in error["message"]


def test_adding_a_deleted_or_foreign_user_is_404_and_a_bad_reference_400(writer, org_a, org_b):
    group = make_group(org_a)
    gone = make_user(org_a.tenant, "gone")
    User.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    url = f"{GROUPS}/{group.pk}/members/$ref"

    assert_graph_error(writer.post(url, ref(gone)), 404, "Request_ResourceNotFound")
    assert_graph_error(writer.post(url, ref(org_b.user)), 404, "Request_ResourceNotFound")
    assert_graph_error(writer.post(url, {"@odata.id": "https://graph.microsoft.com/v1.0/groups/x"}), 400, "BadRequest")
    assert_graph_error(writer.post(url, {}), 400, "BadRequest")
    assert not GroupMembership.objects.filter(group=group).exists()


def test_remove_member_by_ref(writer, org_a):
    group = make_group(org_a, members=[org_a.user])
    url = f"{GROUPS}/{group.pk}/members/{org_a.user.pk}/$ref"

    assert writer.delete(url).status_code == 204
    assert not GroupMembership.objects.filter(group=group).exists()
    assert_graph_error(writer.delete(url), 404, "Request_ResourceNotFound")
    assert AuditEvent.objects.filter(action="group.members_remove").exists()


# --- memberOf ------------------------------------------------------------------------------------

def test_member_of_lists_the_users_groups_as_directory_objects(client, org_a):
    sales = make_group(org_a, "Sales", members=[org_a.user])
    make_group(org_a, "Support")
    api = Api(client, token_for(client, org_a.tenant, ["User.Read.All", "Group.Read.All"]))

    for user_ref in (org_a.user.pk, org_a.user.upn.upper()):
        body = api.get(f"/v1.0/users/{user_ref}/memberOf").json()
        assert [(item["@odata.type"], item["id"], item["displayName"]) for item in body["value"]] == [
            ("#microsoft.graph.group", str(sales.pk), "Sales")]


def test_member_of_without_group_permissions_shows_only_type_and_id(client, org_a):
    sales = make_group(org_a, "Sales", members=[org_a.user])
    api = Api(client, token_for(client, org_a.tenant, ["User.Read.All"]))

    [item] = api.get(f"/v1.0/users/{org_a.user.pk}/memberOf").json()["value"]

    assert (item["@odata.type"], item["id"], item["displayName"], item["description"]) == (
        "#microsoft.graph.group", str(sales.pk), None, None)


# --- permissions and isolation -------------------------------------------------------------------

def test_other_tenant_gets_404_and_changes_nothing(client, org_a, org_b):
    group = make_group(org_a, members=[org_a.user])
    api = Api(client, token_for(client, org_b.tenant, ["Directory.ReadWrite.All"]))
    base = f"{GROUPS}/{group.pk}"

    for response in (api.get(base), api.patch(base, {"displayName": "B's"}), api.delete(base),
                     api.get(f"{base}/members"), api.post(f"{base}/members/$ref", ref(org_b.user)),
                     api.delete(f"{base}/members/{org_a.user.pk}/$ref"), api.get(f"/v1.0/users/{org_a.user.pk}/memberOf")):
        assert_graph_error(response, 404, "Request_ResourceNotFound")
    assert api.get(GROUPS).json()["value"] == []
    group.refresh_from_db()
    assert group.display_name == "Sales" and GroupMembership.objects.filter(group=group).count() == 1


def test_read_permission_cannot_write(reader, org_a):
    group = make_group(org_a)
    assert reader.get(GROUPS).status_code == 200
    assert_graph_error(reader.post(GROUPS, NEW), 403, "Authorization_RequestDenied")
    assert_graph_error(reader.delete(f"{GROUPS}/{group.pk}"), 403, "Authorization_RequestDenied")
    assert_graph_error(reader.post(f"{GROUPS}/{group.pk}/members/$ref", ref(org_a.user)), 403,
                       "Authorization_RequestDenied")


def test_an_app_without_group_permissions_gets_403(client, org_a):
    api = Api(client, token_for(client, org_a.tenant, ["Domain.Read.All"]))
    assert_graph_error(api.get(GROUPS), 403, "Authorization_RequestDenied")
    assert_graph_error(api.get(f"/v1.0/users/{org_a.user.pk}/memberOf"), 403, "Authorization_RequestDenied")


def test_people_need_the_portal_rights(client, org_a):
    group = make_group(org_a)
    password_admin = Api(client, user_token(client, org_a.password_admin))
    assert password_admin.get(GROUPS).status_code == 200  # views users, so views groups
    assert_graph_error(password_admin.post(GROUPS, NEW), 403, "Authorization_RequestDenied")

    user_admin = Api(client, user_token(client, org_a.user_admin))
    assert user_admin.post(f"{GROUPS}/{group.pk}/members/$ref", ref(org_a.user)).status_code == 204

    plain = Api(client, user_token(client, org_a.user))
    assert_graph_error(plain.get(GROUPS), 403, "Authorization_RequestDenied")

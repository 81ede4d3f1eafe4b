"""/v1.0/users/{id}/memberOf and its casts to groups and directory roles: Graph's directory-object shapes, roles
before groups, OData options over both kinds, paging, what each caller may see, isolation and query counts."""

from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenantadmin.actors import Actor
from tenantadmin.roles import ROLE_TEMPLATE_IDS, Role
from tests.factories import make_user
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for, user_token
from users.api_shapes import directory_role_id
from users.group_services import group_create, group_members_add
from users.lifecycle_services import user_delete

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")
GROUP = "#microsoft.graph.group"
ROLE = "#microsoft.graph.directoryRole"


def make_group(org, name, members=(), description="Sellers"):
    group = group_create(tenant=org.tenant, actor=ACTOR, display_name=name, description=description)
    if members:
        group_members_add(group=group, actor=ACTOR, user_ids=[member.pk for member in members])
    return group


@pytest.fixture
def admin(org_a):
    """A billing and global administrator in the groups Sales, Alpha and Support."""
    person = make_user(org_a.tenant, "dana", display_name="Dana", roles=[Role.GLOBAL_ADMIN, Role.BILLING_ADMIN])
    for name in ("Sales", "Alpha", "Support"):
        make_group(org_a, name, [person])
    make_group(org_a, "Not hers", [org_a.user])
    return person


@pytest.fixture
def reader(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["Directory.Read.All"], name="Directory reader"))


def member_of(person) -> str:
    return f"/v1.0/users/{person.pk}/memberOf"


def pairs(body) -> list[tuple[str, str]]:
    return [(item["@odata.type"], item["displayName"]) for item in body["value"]]


def follow(api, url, params=None) -> list[list[dict]]:
    """Every page of a collection, following @odata.nextLink."""
    pages = []
    body = api.get(url, params).json()
    pages.append(body["value"])
    while "@odata.nextLink" in body:
        link = urlsplit(body["@odata.nextLink"])
        body = api.get(f"{link.path}?{link.query}").json()
        pages.append(body["value"])
    return pages


def test_roles_come_first_then_groups_by_name_as_directory_objects(reader, admin, org_a):
    body = reader.get(member_of(admin)).json()

    assert body["@odata.context"].endswith("$metadata#directoryObjects")
    assert pairs(body) == [(ROLE, "Billing administrator"), (ROLE, "Global administrator"),
                           (GROUP, "Alpha"), (GROUP, "Sales"), (GROUP, "Support")]
    billing, global_admin = body["value"][:2]
    assert global_admin["id"] == directory_role_id(org_a.tenant.pk, Role.GLOBAL_ADMIN)
    assert global_admin["roleTemplateId"] == ROLE_TEMPLATE_IDS[Role.GLOBAL_ADMIN]
    assert billing["description"] and "mailNickname" not in billing
    # The role's id is the one /v1.0/directoryRoles gives it.
    roles = {role["id"] for role in reader.get("/v1.0/directoryRoles").json()["value"]}
    assert {billing["id"], global_admin["id"]} <= roles
    sales = body["value"][3]
    assert sales["securityEnabled"] is True and sales["mailEnabled"] is False and sales["description"] == "Sellers"


def test_the_user_principal_name_works_in_any_case(reader, admin):
    body = reader.get(f"/v1.0/users/{admin.upn.upper()}/memberOf").json()
    assert len(body["value"]) == 5


def test_a_role_without_groups_and_nothing_at_all(reader, org_a):
    assert pairs(reader.get(member_of(org_a.user_admin)).json()) == [(ROLE, "User management administrator")]
    person = make_user(org_a.tenant, "nobody")
    assert reader.get(member_of(person)).json()["value"] == []


@pytest.mark.parametrize("top", [1, 2, 3, 4, 5, 6])
def test_paging_walks_roles_then_groups_without_gaps_or_repeats(top, reader, admin):
    pages = follow(reader, member_of(admin), {"$top": str(top)})

    assert all(len(page) == top for page in pages[:-1]) and 0 < len(pages[-1]) <= top
    assert [(item["@odata.type"], item["displayName"]) for page in pages for item in page] == [
        (ROLE, "Billing administrator"), (ROLE, "Global administrator"),
        (GROUP, "Alpha"), (GROUP, "Sales"), (GROUP, "Support")]


def test_a_page_the_roles_fill_links_to_the_groups_only_when_there_are_some(reader, org_a):
    person = make_user(org_a.tenant, "rolesonly", roles=[Role.BILLING_ADMIN, Role.SERVICE_ADMIN])
    body = reader.get(member_of(person), {"$top": "2"}).json()
    assert len(body["value"]) == 2 and "@odata.nextLink" not in body

    make_group(org_a, "Late", [person])
    assert [[item["displayName"] for item in page] for page in follow(reader, member_of(person), {"$top": "2"})] == [
        ["Billing administrator", "Service administrator"], ["Late"]]


def test_count_filter_orderby_and_select_apply_to_roles_and_groups(reader, admin):
    body = reader.get(member_of(admin), {"$count": "true", "$top": "1"}).json()
    assert body["@odata.count"] == 5 and len(body["value"]) == 1

    body = reader.get(member_of(admin), {"$filter": "startswith(displayName,'s')"}).json()
    assert pairs(body) == [(GROUP, "Sales"), (GROUP, "Support")]

    body = reader.get(member_of(admin), {"$filter": "displayName eq 'global ADMINISTRATOR' or displayName eq 'Alpha'",
                                         "$count": "true"}).json()
    assert pairs(body) == [(ROLE, "Global administrator"), (GROUP, "Alpha")] and body["@odata.count"] == 2

    body = reader.get(member_of(admin), {"$filter": "not startswith(displayName,'S') and mailNickname eq null"}).json()
    assert pairs(body) == [(ROLE, "Billing administrator"), (ROLE, "Global administrator")]

    body = reader.get(member_of(admin), {"$orderby": "displayName desc"}).json()
    assert pairs(body) == [(ROLE, "Global administrator"), (ROLE, "Billing administrator"),
                           (GROUP, "Support"), (GROUP, "Sales"), (GROUP, "Alpha")]

    body = reader.get(member_of(admin), {"$select": "displayName"}).json()
    assert body["@odata.context"].endswith("$metadata#directoryObjects(displayName)")
    assert all(set(item) == {"@odata.type", "id", "displayName"} for item in body["value"])


def test_bad_options_are_graph_errors(reader, admin):
    assert_graph_error(reader.get(member_of(admin), {"$skiptoken": "forged"}), 400, "BadRequest")
    assert_graph_error(reader.get(member_of(admin), {"$filter": "nope eq 1"}), 400, "BadRequest")
    assert_graph_error(reader.get(member_of(admin), {"$orderby": "description"}), 400, "Request_UnsupportedQuery")


def test_callers_see_only_the_type_and_id_of_what_they_may_not_read(client, admin, org_a):
    users_only = Api(client, token_for(client, org_a.tenant, ["User.Read.All"], name="Users only"))
    items = users_only.get(member_of(admin)).json()["value"]
    assert [(item["@odata.type"], item["displayName"]) for item in items] == [(ROLE, None)] * 2 + [(GROUP, None)] * 3
    assert all(item["id"] for item in items)

    with_groups = Api(client, token_for(client, org_a.tenant, ["User.Read.All", "Group.Read.All"], name="Groups"))
    items = with_groups.get(member_of(admin)).json()["value"]
    assert [item["displayName"] for item in items] == [None, None, "Alpha", "Sales", "Support"]

    with_roles = Api(client, token_for(client, org_a.tenant, ["User.Read.All", "RoleManagement.ReadWrite.Directory"],
                                       name="Roles"))
    items = with_roles.get(member_of(admin)).json()["value"]
    assert [item["displayName"] for item in items] == ["Billing administrator", "Global administrator", None, None,
                                                       None]


def test_people_whose_role_views_users_see_roles_and_groups(client, admin, org_a):
    for person in (org_a.user_admin, org_a.password_admin):
        api = Api(client, user_token(client, person))
        assert [item["displayName"] for item in api.get(member_of(admin)).json()["value"]] == [
            "Billing administrator", "Global administrator", "Alpha", "Sales", "Support"]


def test_roles_that_do_not_view_users_get_403(client, admin, org_a):
    for person in (org_a.billing_admin, org_a.user):
        api = Api(client, user_token(client, person))
        for path in ("", "/microsoft.graph.group", "/microsoft.graph.directoryRole"):
            assert_graph_error(api.get(member_of(admin) + path), 403, "Authorization_RequestDenied")
    app = Api(client, token_for(client, org_a.tenant, ["Domain.Read.All", "Group.Read.All"], name="No users"))
    assert_graph_error(app.get(member_of(admin)), 403, "Authorization_RequestDenied")


def test_the_group_cast_lists_groups_only_with_odata_options(reader, admin):
    url = member_of(admin) + "/microsoft.graph.group"
    body = reader.get(url, {"$count": "true"}).json()
    assert body["@odata.context"].endswith("$metadata#groups")
    assert pairs(body) == [(GROUP, "Alpha"), (GROUP, "Sales"), (GROUP, "Support")] and body["@odata.count"] == 3

    pages = follow(reader, url, {"$top": "2", "$orderby": "displayName desc", "$select": "displayName"})
    assert [[item["displayName"] for item in page] for page in pages] == [["Support", "Sales"], ["Alpha"]]
    assert pairs(reader.get(url, {"$filter": "startswith(displayName,'su')"}).json()) == [(GROUP, "Support")]


def test_the_directory_role_cast_lists_roles_only(reader, admin, org_a):
    url = member_of(admin) + "/microsoft.graph.directoryRole"
    body = reader.get(url, {"$select": "displayName,roleTemplateId"}).json()
    assert body["@odata.context"].endswith("$metadata#directoryRoles(displayName,roleTemplateId)")
    assert body["value"] == [
        {"@odata.type": ROLE, "id": directory_role_id(org_a.tenant.pk, Role.BILLING_ADMIN),
         "displayName": "Billing administrator", "roleTemplateId": ROLE_TEMPLATE_IDS[Role.BILLING_ADMIN]},
        {"@odata.type": ROLE, "id": directory_role_id(org_a.tenant.pk, Role.GLOBAL_ADMIN),
         "displayName": "Global administrator", "roleTemplateId": ROLE_TEMPLATE_IDS[Role.GLOBAL_ADMIN]}]
    assert reader.get(member_of(org_a.user) + "/microsoft.graph.directoryRole").json()["value"] == []


def test_another_organization_unknown_and_deleted_users_are_404(client, admin, org_a, org_b):
    other = Api(client, token_for(client, org_b.tenant, ["Directory.Read.All"], name="B's reader"))
    gone = make_user(org_a.tenant, "gone")
    make_group(org_a, "Former", [gone])
    user_delete(user=gone, actor=ACTOR)
    reader = Api(client, token_for(client, org_a.tenant, ["Directory.Read.All"], name="A's reader"))
    for path in ("", "/microsoft.graph.group", "/microsoft.graph.directoryRole"):
        assert_graph_error(other.get(member_of(admin) + path), 404, "Request_ResourceNotFound")
        assert_graph_error(other.get(f"/v1.0/users/{admin.upn}/memberOf{path}"), 404, "Request_ResourceNotFound")
        assert_graph_error(reader.get(member_of(gone) + path), 404, "Request_ResourceNotFound")
        assert_graph_error(reader.get(f"/v1.0/users/nobody@example.com/memberOf{path}"), 404,
                           "Request_ResourceNotFound")


@pytest.mark.parametrize("path", ["", "/microsoft.graph.group"])
def test_a_page_costs_the_same_queries_for_few_and_many_groups(path, reader, admin, org_a):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert reader.get(member_of(admin) + path, {"$count": "true"}).status_code == 200
        return len(captured)

    few = queries()
    for n in range(40):
        make_group(org_a, f"More {n:02d}", [admin])
    # The token's secret (with its app), the user, the roles (not on the group cast), the page of groups, $count.
    assert queries() == few <= 5

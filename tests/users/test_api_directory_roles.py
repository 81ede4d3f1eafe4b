"""GET /v1.0/directoryRoles, /v1.0/directoryRoles/{id} and its members: Graph's directoryRole shape, ids of
the caller's organization only, members paged, permissions."""

from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override

from tenantadmin.actors import Actor
from tenantadmin.roles import ROLE_TEMPLATE_IDS, Role
from users.api_shapes import directory_role_id
from users.models import User
from users.services import role_assign
from tests.factories import make_user
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for, user_token

pytestmark = pytest.mark.django_db

ROLES = "/v1.0/directoryRoles"


@pytest.fixture
def reader(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["Directory.Read.All"]))


def role_url(org, role, suffix=""):
    return f"{ROLES}/{directory_role_id(org.tenant.pk, role)}{suffix}"


def member_ids(api, url):
    ids = []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [item["id"] for item in body["value"]]
        link = body.get("@odata.nextLink")
        url = None if link is None else f"{urlsplit(link).path}?{urlsplit(link).query}"
    return ids


def test_list_has_every_role_in_graph_shape(reader, org_a):
    response = reader.get(ROLES)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["@odata.context"].endswith("/v1.0/$metadata#directoryRoles")
    by_template = {item["roleTemplateId"]: item for item in body["value"]}
    assert set(by_template) == set(ROLE_TEMPLATE_IDS.values())
    admin = by_template["62e90394-69f5-4237-9190-012177145e10"]
    assert admin == {"id": directory_role_id(org_a.tenant.pk, Role.GLOBAL_ADMIN), "deletedDateTime": None,
                     "displayName": "Global administrator", "description": "Everything, including assigning roles.",
                     "roleTemplateId": "62e90394-69f5-4237-9190-012177145e10"}


def test_names_stay_english_whatever_the_callers_language(reader):
    with override("de"):
        response = reader.get(ROLES, **{"Accept-Language": "de"})
    names = {item["displayName"] for item in response.json()["value"]}
    assert "User management administrator" in names


def test_role_ids_differ_between_organizations(reader, org_a, org_b):
    assert directory_role_id(org_a.tenant.pk, Role.GLOBAL_ADMIN) != directory_role_id(org_b.tenant.pk, Role.GLOBAL_ADMIN)
    assert len({directory_role_id(org_a.tenant.pk, role) for role in Role}) == len(Role)


def test_get_one_role_and_select(reader, org_a):
    body = reader.get(role_url(org_a, Role.USER_ADMIN)).json()
    assert body["@odata.context"].endswith("#directoryRoles/$entity")
    assert body["roleTemplateId"] == ROLE_TEMPLATE_IDS[Role.USER_ADMIN]
    assert body["displayName"] == "User management administrator"
    chosen = reader.get(role_url(org_a, Role.USER_ADMIN), {"$select": "displayName"}).json()
    assert set(chosen) == {"@odata.context", "id", "displayName"}


@pytest.mark.parametrize("role_id", ["62e90394-69f5-4237-9190-012177145e10", "not-a-role",
                                     "00000000-0000-0000-0000-000000000000"])
def test_unknown_role_id_is_404(reader, role_id):
    assert_graph_error(reader.get(f"{ROLES}/{role_id}"), 404, "Request_ResourceNotFound")
    assert_graph_error(reader.get(f"{ROLES}/{role_id}/members"), 404, "Request_ResourceNotFound")


def test_other_organizations_role_is_404(reader, org_b):
    assert_graph_error(reader.get(role_url(org_b, Role.GLOBAL_ADMIN)), 404, "Request_ResourceNotFound")
    assert_graph_error(reader.get(role_url(org_b, Role.GLOBAL_ADMIN, "/members")), 404, "Request_ResourceNotFound")


def test_members_are_the_users_holding_the_role_in_the_callers_organization(reader, org_a, org_b):
    second = make_user(org_a.tenant, "second", roles=[Role.USER_ADMIN])
    role_assign(user=org_a.global_admin, role=Role.USER_ADMIN, actor=Actor.system("tests"))
    gone = make_user(org_a.tenant, "gone", roles=[Role.USER_ADMIN])
    User.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())

    response = reader.get(role_url(org_a, Role.USER_ADMIN, "/members"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["@odata.context"].endswith("/v1.0/$metadata#directoryObjects")
    assert {item["id"] for item in body["value"]} == {str(org_a.user_admin.pk), str(second.pk),
                                                      str(org_a.global_admin.pk)}
    assert not {item["id"] for item in body["value"]} & {str(org_b.user_admin.pk)}
    member = next(item for item in body["value"] if item["id"] == str(second.pk))
    assert member["@odata.type"] == "#microsoft.graph.user"
    assert member["userPrincipalName"] == second.upn and member["assignedLicenses"] == []
    assert [item["displayName"] for item in body["value"]] == sorted(item["displayName"] for item in body["value"])


def test_members_page_by_keyset_and_count(reader, org_a):
    holders = [make_user(org_a.tenant, f"helper{n}", roles=[Role.PASSWORD_ADMIN]) for n in range(4)]
    url = role_url(org_a, Role.PASSWORD_ADMIN, "/members")
    first = reader.get(url, {"$top": "2", "$count": "true", "$select": "displayName"}).json()
    assert first["@odata.count"] == 5
    assert all(item["@odata.type"] == "#microsoft.graph.user" and set(item) == {"@odata.type", "id", "displayName"}
               for item in first["value"])
    ids = member_ids(reader, f"{url}?$top=2")
    assert sorted(ids) == sorted(str(user.pk) for user in [org_a.password_admin, *holders])
    assert len(ids) == len(set(ids))


def test_members_page_costs_a_fixed_number_of_queries(reader, org_a):
    url = role_url(org_a, Role.SERVICE_ADMIN, "/members")
    with CaptureQueriesContext(connection) as few:
        assert reader.get(url).status_code == 200
    for n in range(6):
        make_user(org_a.tenant, f"svc{n}", roles=[Role.SERVICE_ADMIN])
    with CaptureQueriesContext(connection) as many:
        assert reader.get(url).status_code == 200
    # The token's secret (with its app), the page of members, their licenses, their e-mail addresses.
    assert len(few) == len(many) == 4


@pytest.mark.parametrize("permissions, status", [(["Directory.Read.All"], 200), (["Directory.ReadWrite.All"], 200),
                                                 (["RoleManagement.ReadWrite.Directory"], 200),
                                                 (["User.Read.All", "Organization.Read.All"], 403)])
def test_app_permissions(client, org_a, permissions, status):
    api = Api(client, token_for(client, org_a.tenant, permissions))
    for url in (ROLES, role_url(org_a, Role.GLOBAL_ADMIN), role_url(org_a, Role.GLOBAL_ADMIN, "/members")):
        assert api.get(url).status_code == status, url


@pytest.mark.parametrize("role_name, status", [("global_admin", 200), ("user_admin", 200), ("billing_admin", 200),
                                               ("password_admin", 200), ("service_admin", 200), ("user", 403)])
def test_people_of_any_administrator_role_may_read_roles(client, org_a, role_name, status):
    api = Api(client, user_token(client, org_a.member(role_name)))
    for url in (ROLES, role_url(org_a, Role.GLOBAL_ADMIN), role_url(org_a, Role.GLOBAL_ADMIN, "/members")):
        assert api.get(url).status_code == status, url

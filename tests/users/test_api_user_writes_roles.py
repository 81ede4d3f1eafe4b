"""POST/DELETE /v1.0/directoryRoles/{id}/members/$ref: who may, the alternate-address rule, the last global admin."""

import pytest

from tenantadmin.roles import Role
from users.api_shapes import directory_role_id
from users.models import RoleAssignment
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for, user_token

pytestmark = pytest.mark.django_db


def members(org, role):
    return f"/v1.0/directoryRoles/{directory_role_id(org.tenant.pk, role)}/members"


def ref(user):
    return {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{user.pk}"}


@pytest.fixture
def app_api(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["RoleManagement.ReadWrite.Directory"]))


def test_add_and_remove_a_member(app_api, org_a):
    org_a.user.alternate_email = "plain@example.net"
    org_a.user.save(update_fields=["alternate_email"])
    assert app_api.post(members(org_a, Role.BILLING_ADMIN) + "/$ref", ref(org_a.user)).status_code == 204
    assert RoleAssignment.objects.filter(user=org_a.user, role=Role.BILLING_ADMIN).exists()
    error = assert_graph_error(app_api.post(members(org_a, Role.BILLING_ADMIN) + "/$ref", ref(org_a.user)), 400,
                               "Request_BadRequest")
    assert "already exist" in error["message"]
    assert app_api.delete(members(org_a, Role.BILLING_ADMIN) + f"/{org_a.user.pk}/$ref").status_code == 204
    assert not RoleAssignment.objects.filter(user=org_a.user).exists()
    assert_graph_error(app_api.delete(members(org_a, Role.BILLING_ADMIN) + f"/{org_a.user.pk}/$ref"), 404,
                       "Request_ResourceNotFound")


def test_an_administrator_needs_an_alternate_address(app_api, org_a):
    error = assert_graph_error(app_api.post(members(org_a, Role.USER_ADMIN) + "/$ref", ref(org_a.user)), 400,
                               "Request_BadRequest")
    assert "alternate e-mail" in error["message"]
    assert not RoleAssignment.objects.filter(user=org_a.user).exists()


def test_the_last_global_admin_cannot_be_removed(app_api, org_a):
    url = members(org_a, Role.GLOBAL_ADMIN) + f"/{org_a.global_admin.pk}/$ref"
    error = assert_graph_error(app_api.delete(url), 400, "Request_BadRequest")
    assert "last global administrator" in error["message"]
    assert org_a.global_admin.role_assignments.filter(role=Role.GLOBAL_ADMIN).exists()


@pytest.mark.parametrize("body", [{}, {"@odata.id": ""}, "nonsense"])
def test_malformed_reference_is_400(app_api, org_a, body):
    assert_graph_error(app_api.post(members(org_a, Role.BILLING_ADMIN) + "/$ref", body), 400, "BadRequest")


def test_global_admins_token_may_user_admins_may_not(client, org_a):
    org_a.user.alternate_email = "plain@example.net"
    org_a.user.save(update_fields=["alternate_email"])
    user_admin = Api(client, user_token(client, org_a.user_admin))
    assert_graph_error(user_admin.post(members(org_a, Role.USER_ADMIN) + "/$ref", ref(org_a.user)), 403,
                       "Authorization_RequestDenied")
    glob = Api(client, user_token(client, org_a.global_admin))
    assert glob.post(members(org_a, Role.USER_ADMIN) + "/$ref", ref(org_a.user)).status_code == 204


def test_app_without_role_permission_gets_403(client, org_a):
    api = Api(client, token_for(client, org_a.tenant, ["User.ReadWrite.All", "Directory.Read.All"]))
    assert_graph_error(api.post(members(org_a, Role.USER_ADMIN) + "/$ref", ref(org_a.user)), 403,
                       "Authorization_RequestDenied")


def test_other_tenants_role_and_user_are_404(client, org_a, org_b):
    api = Api(client, token_for(client, org_b.tenant, ["Directory.ReadWrite.All"]))
    assert_graph_error(api.post(members(org_a, Role.USER_ADMIN) + "/$ref", ref(org_b.user)), 404, "Request_ResourceNotFound")
    # B's own role with A's user: the user is not found either.
    assert_graph_error(api.post(members(org_b, Role.USER_ADMIN) + "/$ref", ref(org_a.user)), 404, "Request_ResourceNotFound")
    assert_graph_error(api.delete(members(org_b, Role.USER_ADMIN) + f"/{org_a.user_admin.pk}/$ref"), 404,
                       "Request_ResourceNotFound")
    assert RoleAssignment.objects.filter(user=org_a.user_admin).exists()

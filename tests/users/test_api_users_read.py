"""GET /v1.0/users and /v1.0/users/{id or userPrincipalName}: Graph's user shape, OData options, keyset paging,
tenant isolation, permissions and a fixed query count per page."""

from datetime import UTC, timedelta
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.models import Sku
from users.models import LicenseAssignment, User
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for, user_token

pytestmark = pytest.mark.django_db

USERS = "/v1.0/users"


@pytest.fixture
def reader(client, org_a):
    return Api(client, token_for(client, org_a.tenant, ["User.Read.All"]))


@pytest.fixture
def e3():
    return Sku.objects.get(part_number="ENTERPRISEPACK")


def add_users(tenant, count, prefix="bulk", **details):
    """`count` live users of `tenant`, created in one statement (the API only reads them)."""
    domain = tenant.initial_domain
    return User.objects.bulk_create([
        User(tenant=tenant, upn=f"{prefix}{n:04}@{domain}", display_name=f"{prefix.title()} {n:04}", **details)
        for n in range(count)
    ])


def follow(api, url):
    """Every page of a collection by its @odata.nextLink; returns the items and the number of pages."""
    items, pages = [], 0
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["value"]
        pages += 1
        link = body.get("@odata.nextLink")
        url = None if link is None else f"{urlsplit(link).path}?{urlsplit(link).query}"
    return items, pages


def test_user_in_graph_shape_field_by_field(reader, org_a, e3):
    user = org_a.user
    details = dict(first_name="Pat", last_name="Plain", job_title="Analyst", department="Sales", office="B-12",
                   office_phone="+1 555 0100", mobile_phone="+1 555 0101", fax="+1 555 0102", street="1 Main St",
                   city="Springfield", state="IL", postal_code="62701", country_name="United States",
                   usage_location="US", alternate_email="pat@example.net", language="de", is_active=False)
    User.objects.filter(pk=user.pk).update(**details)
    LicenseAssignment.objects.create(tenant=org_a.tenant, user=user, sku=e3,
                                     disabled_plans=["efb87545-963c-4e0d-99df-69c6916d9eb0"])
    user.refresh_from_db()

    response = reader.get(f"{USERS}/{user.pk}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["@odata.context"].endswith("/v1.0/$metadata#users/$entity")
    assert body["id"] == str(user.pk)
    assert body["userPrincipalName"] == user.upn
    assert body["displayName"] == user.display_name
    assert (body["givenName"], body["surname"]) == ("Pat", "Plain")
    assert (body["jobTitle"], body["department"], body["officeLocation"]) == ("Analyst", "Sales", "B-12")
    assert body["businessPhones"] == ["+1 555 0100"]
    assert (body["mobilePhone"], body["faxNumber"]) == ("+1 555 0101", "+1 555 0102")
    assert (body["streetAddress"], body["city"], body["state"], body["postalCode"]) == (
        "1 Main St", "Springfield", "IL", "62701")
    assert (body["country"], body["usageLocation"]) == ("United States", "US")
    assert body["accountEnabled"] is False
    assert body["otherMails"] == ["pat@example.net"]
    assert body["preferredLanguage"] == "de"
    assert body["mail"] is None
    assert body["createdDateTime"] == user.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert body["assignedLicenses"] == [{"skuId": str(e3.pk),
                                         "disabledPlans": ["efb87545-963c-4e0d-99df-69c6916d9eb0"]}]
    assert body["proxyAddresses"] == [f"SMTP:{user.upn}"]  # the user name is the primary address


def test_empty_properties_are_null_or_empty_lists(reader, org_a):
    (user,) = add_users(org_a.tenant, 1)
    body = reader.get(f"{USERS}/{user.pk}").json()
    for name in ("givenName", "surname", "jobTitle", "department", "officeLocation", "mobilePhone", "faxNumber",
                 "streetAddress", "city", "state", "postalCode", "country", "usageLocation", "preferredLanguage"):
        assert body[name] is None, name
    assert body["businessPhones"] == body["otherMails"] == body["assignedLicenses"] == body["proxyAddresses"] == []
    assert body["accountEnabled"] is True


def test_get_by_user_principal_name_in_any_case(reader, org_a):
    upn = org_a.user.upn
    for key in (upn, upn.upper(), upn.title()):
        response = reader.get(f"{USERS}/{key}")
        assert response.status_code == 200, key
        assert response.json()["id"] == str(org_a.user.pk)


def test_select_returns_only_the_chosen_properties(reader, org_a):
    body = reader.get(f"{USERS}/{org_a.user.pk}", {"$select": "displayName,assignedLicenses"}).json()
    assert body["@odata.context"].endswith("#users(displayName,assignedLicenses)/$entity")
    assert set(body) == {"@odata.context", "id", "displayName", "assignedLicenses"}
    listed = reader.get(USERS, {"$select": "userPrincipalName"}).json()
    assert all(set(item) == {"id", "userPrincipalName"} for item in listed["value"])


def test_other_organizations_user_is_404_by_id_and_by_name(reader, org_b):
    for key in (str(org_b.user.pk), org_b.user.upn, org_b.user.upn.upper()):
        assert_graph_error(reader.get(f"{USERS}/{key}"), 404, "Request_ResourceNotFound")


def test_list_holds_only_the_callers_organization(reader, org_a, org_b):
    ids = {item["id"] for item in reader.get(USERS, {"$top": "999"}).json()["value"]}
    assert str(org_a.user.pk) in ids
    assert not ids & {str(pk) for pk in User.objects.filter(tenant=org_b.tenant).values_list("pk", flat=True)}


def test_deleted_users_are_neither_listed_nor_found(reader, org_a):
    gone = org_a.user
    User.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    ids = {item["id"] for item in reader.get(USERS).json()["value"]}
    assert str(gone.pk) not in ids and str(org_a.user_admin.pk) in ids
    for key in (str(gone.pk), gone.upn):
        assert_graph_error(reader.get(f"{USERS}/{key}"), 404, "Request_ResourceNotFound")


def test_paging_walks_250_users_each_once_in_display_name_order(reader, org_a):
    add_users(org_a.tenant, 250)
    total = User.objects.filter(tenant=org_a.tenant, deleted_at__isnull=True).count()

    first = reader.get(USERS, {"$top": "100", "$count": "true"}).json()
    items, pages = follow(reader, f"{USERS}?$top=100")

    assert first["@odata.count"] == total
    assert len(first["value"]) == 100 and "$top=100" in first["@odata.nextLink"]
    assert pages == 3
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) == total
    expected = list(User.objects.filter(tenant=org_a.tenant, deleted_at__isnull=True)
                    .order_by("display_name", "id").values_list("pk", flat=True))
    assert ids == [str(pk) for pk in expected]


def test_orderby_user_principal_name_descending_and_created(reader, org_a):
    add_users(org_a.tenant, 30)
    items, _pages = follow(reader, f"{USERS}?$orderby=userPrincipalName%20desc&$top=7")
    upns = [item["userPrincipalName"] for item in items]
    assert upns == sorted(upns, reverse=True) and len(upns) == len(set(upns))
    created = [item["createdDateTime"] for item in reader.get(USERS, {"$orderby": "createdDateTime"}).json()["value"]]
    assert created == sorted(created)


def test_filters(reader, org_a):
    add_users(org_a.tenant, 5, prefix="sales", department="Sales", usage_location="DE")
    add_users(org_a.tenant, 3, prefix="blocked", is_active=False, job_title="Intern")
    since = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def names(expression):
        response = reader.get(USERS, {"$filter": expression, "$top": "999"})
        assert response.status_code == 200, response.content
        return sorted(item["userPrincipalName"].split("@")[0] for item in response.json()["value"])

    assert names("department eq 'sales'") == [f"sales{n:04}" for n in range(5)]
    assert names("usageLocation eq 'DE'") == [f"sales{n:04}" for n in range(5)]
    assert names("accountEnabled eq false") == [f"blocked{n:04}" for n in range(3)]
    assert names("startswith(displayName,'Blocked 000') and jobTitle eq 'Intern'") == [
        f"blocked{n:04}" for n in range(3)]
    assert names("startswith(userPrincipalName,'sales0001')") == ["sales0001"]
    assert names("givenName eq 'Grace' and surname ne null") == ["admin"]
    assert len(names(f"createdDateTime ge {since}")) == User.objects.filter(tenant=org_a.tenant).count()
    assert names(f"createdDateTime lt {since}") == []


@pytest.mark.parametrize("params", [{"$filter": "city eq 'Berlin'"}, {"$orderby": "department"},
                                   {"$filter": "startswith(accountEnabled,'t')"}, {"$top": "1000"},
                                   {"$select": "password"}])
def test_unsupported_options_are_400(reader, params):
    response = reader.get(USERS, params)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] in ("BadRequest", "Request_UnsupportedQuery")


@pytest.mark.parametrize("permissions", [["User.Read.All"], ["User.ReadWrite.All"], ["Directory.Read.All"],
                                         ["Directory.ReadWrite.All"]])
def test_apps_with_a_user_read_permission_may_read(client, org_a, permissions):
    api = Api(client, token_for(client, org_a.tenant, permissions))
    assert api.get(USERS).status_code == 200
    assert api.get(f"{USERS}/{org_a.user.upn}").status_code == 200


def test_app_without_user_read_is_403(client, org_a):
    api = Api(client, token_for(client, org_a.tenant, ["Organization.Read.All", "RoleManagement.ReadWrite.Directory"]))
    assert_graph_error(api.get(USERS), 403, "Authorization_RequestDenied")
    assert_graph_error(api.get(f"{USERS}/{org_a.user.pk}"), 403, "Authorization_RequestDenied")


@pytest.mark.parametrize("role_name, status", [("global_admin", 200), ("user_admin", 200), ("password_admin", 200),
                                               ("service_admin", 200), ("billing_admin", 403), ("user", 403)])
def test_people_read_users_when_their_role_views_users(client, org_a, role_name, status):
    api = Api(client, user_token(client, org_a.member(role_name)))
    assert api.get(USERS).status_code == status
    assert api.get(f"{USERS}/{org_a.user.pk}").status_code == status


def test_no_token_is_401(client, org_a):
    assert_graph_error(Api(client, None).get(USERS), 401, "InvalidAuthenticationToken")


def page_queries(api, url):
    cache.clear()  # billing's subscription digest (the plans' states for assignedPlans) is read cold on each page
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def test_a_page_costs_the_same_queries_for_few_and_many_users_with_licenses(reader, org_a, e3):
    def license_all():
        for user in User.objects.filter(tenant=org_a.tenant, licenses__isnull=True):
            LicenseAssignment.objects.create(tenant=org_a.tenant, user=user, sku=e3)

    license_all()
    few = page_queries(reader, f"{USERS}?$count=true")
    add_users(org_a.tenant, 150)
    license_all()
    many = page_queries(reader, f"{USERS}?$count=true")
    link = urlsplit(reader.get(USERS).json()["@odata.nextLink"])
    following = page_queries(reader, f"{link.path}?{link.query}")

    # The token's secret (with its app), $count, the page of users, their licenses, their e-mail addresses, and the
    # organization's subscriptions for the plans' states in assignedPlans (one query for the page, cached).
    assert few == many == 6
    assert following == 5

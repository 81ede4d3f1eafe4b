"""The Users page: standard views, search, sort, keyset paging, a flat query cost, bulk block/allow and the CSV export."""

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from billing.models import Sku
from tenantadmin.models import AuditEvent
from tests.factories import make_user
from users.models import LicenseAssignment, User, UserPhoto

pytestmark = pytest.mark.django_db

LIST = reverse("users:list")
EXPORT = reverse("users:export")
BULK = reverse("users:bulk_sign_in")
# Measured once; a change means the page's cost changed: look at the queries before updating. The session, the
# signed-in admin with the organization, their roles, the page of users, its licenses, its roles, the sign-in locks
# and the photo versions of the page (the cache is emptied first, so that query always runs).
# + 1: the organization's custom views for the view selector (at most 50, one query).
# + 1: the license-conflict banner (cached per organization; the cache is emptied first, so it is counted).
# + 1: the billing banner's subscriptions (cached per organization; the cache is emptied first).
LIST_QUERIES = 8 + 1 + 1 + 1
NEXT_LINK = re.compile(r'href="\?([^"]*after=[^"]*)"[^>]*>\s*Next page')


def e3():
    return Sku.objects.get(part_number="ENTERPRISEPACK")


def license(user):
    return LicenseAssignment.objects.create(tenant=user.tenant, user=user, sku=e3())


def delete(user):
    User.objects.filter(pk=user.pk).update(deleted_at=timezone.now() - timedelta(days=3), is_active=False)


def shown(response) -> list:
    return [row.user.pk for row in response.context["rows"]]


def next_query(response) -> str | None:
    match = NEXT_LINK.search(response.content.decode())
    return html.unescape(match.group(1)) if match else None


def bulk_users(tenant, count, prefix="Person"):
    """Many users at once (the services would make the big tests slow; nothing here needs their side effects)."""
    return User.objects.bulk_create(
        User(tenant=tenant, upn=f"{prefix.lower()}{n:03}@{tenant.initial_domain}", display_name=f"{prefix} {n % 40:03}",
             password="!") for n in range(count))


def in_order(users, field, descending=False) -> list:
    return [user.pk for user in sorted(users, key=lambda user: (getattr(user, field), user.pk), reverse=descending)]


def lock(upn, settings, ip="10.0.0.9"):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("users:signin"), {"username": upn, "password": "Wrong#Password1"}, REMOTE_ADDR=ip)


# --- standard views ---------------------------------------------------------------------------

@pytest.fixture
def population(org_a, org_b):
    licensed = make_user(org_a.tenant, "licensed")
    license(licensed)
    blocked = make_user(org_a.tenant, "blocked", is_active=False)
    deleted = make_user(org_a.tenant, "gone")
    delete(deleted)
    make_user(org_b.tenant, "elsewhere")
    admins = {org_a.global_admin.pk, org_a.user_admin.pk, org_a.billing_admin.pk, org_a.password_admin.pk,
              org_a.service_admin.pk}
    live = admins | {org_a.user.pk, licensed.pk, blocked.pk}
    return {
        "all": live,
        "signin_allowed": live - {blocked.pk},
        "signin_blocked": {blocked.pk},
        "unlicensed": live - {licensed.pk},
        "errors": set(),
        "admins": admins,
        "deleted": {deleted.pk},
    }


@pytest.mark.parametrize("view", ["all", "signin_allowed", "signin_blocked", "unlicensed", "errors", "admins", "deleted"])
def test_each_standard_view_shows_exactly_its_members(view, population, org_a, client_for):
    response = client_for(org_a.global_admin).get(LIST, {"view": view})

    assert response.status_code == 200
    assert set(shown(response)) == population[view]
    if not population[view]:
        assert str(response.context["view"].empty) in response.content.decode()


def test_users_with_errors_says_why_it_is_empty(org_a, client_for):
    page = client_for(org_a.global_admin).get(LIST, {"view": "errors"}).content.decode()
    assert "report no such errors" in page


def test_unknown_view_falls_back_to_all_users(population, org_a, client_for):
    response = client_for(org_a.global_admin).get(LIST, {"view": "nonsense"})
    assert set(shown(response)) == population["all"]


def test_deleted_users_show_deletion_date_and_days_until_purge(org_a, client_for):
    gone = make_user(org_a.tenant, "gone")
    delete(gone)

    response = client_for(org_a.global_admin).get(LIST, {"view": "deleted"})

    [row] = response.context["rows"]
    assert row.days_until_purge == 27
    assert row.purge_at == User.objects.get(pk=gone.pk).deleted_at + timedelta(days=30)
    page = response.content.decode()
    assert "Days until purge" in page and "27 days" in page


# --- search -----------------------------------------------------------------------------------

def test_search_matches_the_start_of_the_display_name_in_any_case(org_a, org_b, client_for):
    anna = make_user(org_a.tenant, "ajones", display_name="Anna Jones")
    make_user(org_a.tenant, "bjones", display_name="Bert Jones")  # "jones" is inside, not at the start
    make_user(org_b.tenant, "annab", display_name="Anna Other tenant")

    response = client_for(org_a.global_admin).get(LIST, {"q": "aNNa"})

    assert shown(response) == [anna.pk]


def test_search_matches_the_start_of_the_user_name_and_the_exact_user_name(org_a, org_b, client_for):
    kim = make_user(org_a.tenant, "kim.lee", display_name="Someone")
    make_user(org_b.tenant, "kim.lee", display_name="Someone else")
    client = client_for(org_a.global_admin)

    assert shown(client.get(LIST, {"q": "KIM."})) == [kim.pk]
    assert shown(client.get(LIST, {"q": kim.upn.upper()})) == [kim.pk]
    assert shown(client.get(LIST, {"q": "lee"})) == []


def test_search_matches_the_alternate_email_and_treats_wildcards_as_text(org_a, client_for):
    pat = make_user(org_a.tenant, "pat", alternate_email="pat.private@example.org")
    client = client_for(org_a.global_admin)

    assert shown(client.get(LIST, {"q": "pat.private@"})) == [pat.pk]
    assert shown(client.get(LIST, {"q": "%"})) == []
    assert shown(client.get(LIST, {"q": "_"})) == []


def test_search_stays_inside_the_view(org_a, client_for):
    blocked = make_user(org_a.tenant, "zed1", display_name="Zed blocked", is_active=False)
    make_user(org_a.tenant, "zed2", display_name="Zed allowed")

    response = client_for(org_a.global_admin).get(LIST, {"q": "zed", "view": "signin_blocked"})

    assert shown(response) == [blocked.pk]


def test_a_search_without_matches_says_so(org_a, client_for):
    page = client_for(org_a.global_admin).get(LIST, {"q": "nobody-here"}).content.decode()
    assert "No user in this view matches “nobody-here”." in page


# --- sort and paging --------------------------------------------------------------------------

@pytest.mark.parametrize("sort, field", [("display_name", "display_name"), ("upn", "upn"), ("created", "created_at")])
@pytest.mark.parametrize("descending", [False, True])
def test_each_column_sorts_both_ways(sort, field, descending, org_a, client_for):
    bulk_users(org_a.tenant, 12)
    users = list(User.objects.filter(tenant=org_a.tenant, deleted_at=None))

    response = client_for(org_a.global_admin).get(LIST, {"sort": sort, "desc": "1" if descending else ""})

    assert shown(response) == in_order(users, field, descending)


def test_deleted_users_sort_by_deletion_time(org_a, client_for):
    first, second = make_user(org_a.tenant, "first"), make_user(org_a.tenant, "second")
    User.objects.filter(pk=first.pk).update(deleted_at=timezone.now() - timedelta(days=5))
    User.objects.filter(pk=second.pk).update(deleted_at=timezone.now() - timedelta(days=1))
    client = client_for(org_a.global_admin)

    assert shown(client.get(LIST, {"view": "deleted", "sort": "deleted"})) == [first.pk, second.pk]
    assert shown(client.get(LIST, {"view": "deleted", "sort": "deleted", "desc": "1"})) == [second.pk, first.pk]


def test_the_current_sort_heading_reverses_the_direction(org_a, client_for):
    response = client_for(org_a.global_admin).get(LIST, {"sort": "upn"})
    columns = {column["key"]: column["query"] for column in response.context["columns"]}
    assert columns == {"display_name": "", "upn": "sort=upn&desc=1", "created": "sort=created"}


@pytest.mark.parametrize("sort, field, descending", [("display_name", "display_name", False), ("upn", "upn", True)])
def test_next_links_walk_120_users_each_once_in_order(sort, field, descending, org_a, org_b, client_for):
    bulk_users(org_a.tenant, 120)
    bulk_users(org_b.tenant, 5)
    expected = in_order(User.objects.filter(tenant=org_a.tenant, deleted_at=None), field, descending)
    client = client_for(org_a.global_admin)

    seen, query = [], {"sort": sort, "desc": "1" if descending else ""}
    response = client.get(LIST, query)
    while True:
        seen += shown(response)
        query = next_query(response)
        if query is None:
            break
        response = client.get(f"{LIST}?{query}")

    assert seen == expected
    assert len(seen) == 126


def test_a_tampered_page_link_starts_again_at_the_first_page_with_a_warning(org_a, client_for):
    bulk_users(org_a.tenant, 60)
    client = client_for(org_a.global_admin)
    first = client.get(LIST)
    link = next_query(first)

    response = client.get(f"{LIST}?{link[:-3]}xyz")

    assert shown(response) == shown(first)
    assert "That page link is no longer valid; showing the first page." in response.content.decode()


def test_a_page_link_of_another_sort_is_refused(org_a, client_for):
    bulk_users(org_a.tenant, 60)
    client = client_for(org_a.global_admin)
    cursor = client.get(LIST).context["page"].next_cursor

    response = client.get(LIST, {"sort": "upn", "after": cursor})

    assert response.context["is_first_page"]
    assert "no longer valid" in response.content.decode()


# --- query cost -------------------------------------------------------------------------------

@pytest.mark.parametrize("count", [10, 120])
@pytest.mark.parametrize("with_extras", [False, True])
def test_the_page_costs_the_same_queries_for_10_and_120_users(count, with_extras, org_a, client_for, settings,
                                                              django_assert_num_queries):
    users = bulk_users(org_a.tenant, count, prefix="Aaron")  # sorted first, so they fill the first page
    if with_extras:
        for user in users:
            license(user)
        for n, user in enumerate(users[:3]):
            lock(user.upn, settings, ip=f"10.0.1.{n}")
        UserPhoto.objects.create(user=users[0], tenant=org_a.tenant, content=b"x", content_type="image/jpeg")
    client = client_for(org_a.global_admin)
    client.get(LIST)
    cache.clear()

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST)

    assert response.status_code == 200
    if with_extras:
        [first] = [row for row in response.context["rows"] if row.user.pk == users[0].pk]
        assert first.locked_until and first.photo_url and [a.sku.part_number for a in first.user.licenses.all()] == [
            "ENTERPRISEPACK"]
        page = response.content.decode()
        assert "Office 365 Enterprise E3" in page and "Locked" in page and "Unlock" in page


# --- bulk block / allow -----------------------------------------------------------------------

def test_block_changes_only_this_organizations_posted_users(org_a, org_b, client_for):
    target = make_user(org_a.tenant, "target")
    client = client_for(org_a.user_admin)

    response = client.post(BULK, {"ids": [target.pk, org_b.user.pk, "not-a-uuid"], "allowed": "0", "next": LIST},
                           follow=True)

    assert not User.objects.get(pk=target.pk).is_active
    assert User.objects.get(pk=org_b.user.pk).is_active
    assert "Sign-in is blocked for 1 user." in response.content.decode()
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="user.update", target_id=str(target.pk),
                                     changes={"is_active": [True, False]}).exists()
    assert not AuditEvent.objects.filter(tenant=org_b.tenant, action="user.update").exists()


def test_allow_lets_blocked_users_sign_in_again(org_a, client_for):
    blocked = make_user(org_a.tenant, "blocked", is_active=False)

    client_for(org_a.global_admin).post(BULK, {"ids": [blocked.pk], "allowed": "1"})

    assert User.objects.get(pk=blocked.pk).is_active
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="user.update", target_id=str(blocked.pk),
                                     changes={"is_active": [False, True]}).exists()


def test_a_user_admin_cannot_block_administrators_and_is_told_how_many_were_skipped(org_a, client_for):
    response = client_for(org_a.user_admin).post(
        BULK, {"ids": [org_a.global_admin.pk, org_a.billing_admin.pk, org_a.user.pk], "allowed": "0"}, follow=True)

    assert not User.objects.get(pk=org_a.user.pk).is_active
    assert User.objects.get(pk=org_a.global_admin.pk).is_active
    assert User.objects.get(pk=org_a.billing_admin.pk).is_active
    page = response.content.decode()
    assert "2 administrators were skipped" in page and "Sign-in is blocked for 1 user." in page


def test_a_global_admin_blocks_administrators_but_never_themselves(org_a, client_for):
    response = client_for(org_a.global_admin).post(
        BULK, {"ids": [org_a.user_admin.pk, org_a.global_admin.pk], "allowed": "0"}, follow=True)

    assert not User.objects.get(pk=org_a.user_admin.pk).is_active
    assert User.objects.get(pk=org_a.global_admin.pk).is_active
    assert "Your own account was skipped" in response.content.decode()


def test_posting_only_another_organizations_user_changes_nothing(org_a, org_b, client_for):
    response = client_for(org_a.global_admin).post(BULK, {"ids": [org_b.user.pk], "allowed": "0"}, follow=True)

    assert User.objects.get(pk=org_b.user.pk).is_active
    assert "Select the users first." in response.content.decode()


def test_roles_that_only_read_users_cannot_block(org_a, client_for):
    assert client_for(org_a.password_admin).post(BULK, {"ids": [org_a.user.pk], "allowed": "0"}).status_code == 403
    assert User.objects.get(pk=org_a.user.pk).is_active
    page = client_for(org_a.password_admin).get(LIST).content.decode()
    assert 'id="bulk-block"' not in page and 'name="ids"' not in page


def test_a_foreign_next_address_is_ignored(org_a, client_for):
    response = client_for(org_a.global_admin).post(BULK, {"ids": [org_a.user.pk], "allowed": "0",
                                                          "next": "https://evil.example/"})
    assert response["Location"] == LIST


# --- CSV export -------------------------------------------------------------------------------

def export_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


def test_export_holds_the_current_view_and_search_with_status_and_licenses(org_a, org_b, client_for):
    alice = make_user(org_a.tenant, "alice", display_name="Alice Example", first_name="Alice", department="Sales",
                      is_active=False)
    license(alice)
    make_user(org_a.tenant, "alan", display_name="Alan Allowed")
    make_user(org_b.tenant, "alice", display_name="Alice Elsewhere", is_active=False)

    response = client_for(org_a.user_admin).get(EXPORT, {"view": "signin_blocked", "q": "al"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = export_rows(response)
    assert header == ["User Name", "First Name", "Last Name", "Display Name", "Job Title", "Department", "Office Number",
                      "Office Phone", "Mobile Phone", "Fax", "Address", "City", "State or Province", "ZIP or Postal Code",
                      "Country or Region", "Sign-in status", "Licenses"]
    assert rows == [[alice.upn, "Alice", "", "Alice Example", "", "Sales", "", "", "", "", "", "", "", "", "", "Blocked",
                     "Office 365 Enterprise E3"]]


def test_export_of_all_users_matches_the_view_in_order(org_a, client_for):
    bulk_users(org_a.tenant, 30)
    client = client_for(org_a.global_admin)

    exported = [row[0] for row in export_rows(client.get(EXPORT, {"sort": "upn", "desc": "1"}))[1:]]

    expected = list(User.objects.filter(tenant=org_a.tenant, deleted_at=None).order_by("-upn", "-pk")
                    .values_list("upn", flat=True))
    assert exported == expected


def test_export_neutralises_cells_that_spreadsheets_would_run_as_formulas(org_a, client_for):
    make_user(org_a.tenant, "formula", display_name="=HYPERLINK(\"http://evil.example\")", department="+1 sales")

    rows = export_rows(client_for(org_a.global_admin).get(EXPORT, {"q": "formula@"}))

    assert rows[1][3] == "'=HYPERLINK(\"http://evil.example\")"
    assert rows[1][5] == "'+1 sales"


# --- roles ------------------------------------------------------------------------------------

def test_billing_admin_and_plain_users_get_403(org_a, client_for):
    for person in (org_a.billing_admin, org_a.user):
        client = client_for(person)
        assert client.get(LIST).status_code == 403
        assert client.get(EXPORT).status_code == 403


def test_every_role_that_reads_users_sees_the_page(org_a, client_for):
    for person in (org_a.global_admin, org_a.user_admin, org_a.password_admin, org_a.service_admin):
        assert client_for(person).get(LIST).status_code == 200


def test_unlock_is_offered_only_to_roles_that_reset_passwords(org_a, client_for, settings):
    lock(org_a.user.upn, settings)

    assert f'id="unlock-{org_a.user.pk}"' in client_for(org_a.password_admin).get(LIST).content.decode()
    assert f'id="unlock-{org_a.user.pk}"' not in client_for(org_a.service_admin).get(LIST).content.decode()

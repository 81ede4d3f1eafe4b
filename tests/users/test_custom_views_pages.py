"""Custom view pages and the Users page with a custom view: selector, paging, search, export, roles, isolation."""

import csv
import html
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import Sku
from tenantadmin.actors import Actor
from tests.factories import make_user
from users.custom_view_services import MAX_CUSTOM_VIEWS, custom_view_create
from users.group_services import group_create, group_members_add
from users.models import CustomView, GroupMembership, User

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")
VIEWS = reverse("users:custom_views")
NEW = reverse("users:custom_view_create")
LIST = reverse("users:list")
EXPORT = reverse("users:export")
NEXT_LINK = re.compile(r'href="\?([^"]*after=[^"]*)"[^>]*>\s*Next page')


def blocked_view(org, name="Blocked"):
    return custom_view_create(tenant=org.tenant, actor=ACTOR, name=name, filters={"sign_in": "blocked"})


def shown(response) -> list:
    return [row.user.pk for row in response.context["rows"]]


# --- the pages -----------------------------------------------------------------------------------

def test_the_list_shows_each_views_filters_in_words(org_a, org_b, client_for):
    group = group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Sellers")
    custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="Sellers in E3", filters={
        "group": str(group.pk), "sku": str(Sku.objects.get(part_number="ENTERPRISEPACK").pk), "country": "DE"})
    blocked_view(org_b, "B's view")

    page = client_for(org_a.service_admin).get(VIEWS).content.decode()

    assert "Sellers in E3" in page and "B&#x27;s view" not in page and "B's view" not in page
    assert "Member of: Sellers" in page and "License: Office 365 Enterprise E3" in page and "User location: Germany" in page
    assert "1 of 50 custom views in use" in page
    assert NEW not in page  # a service admin may look, not change


def test_create_from_the_form_then_shows_the_view_on_the_users_page(org_a, client_for):
    blocked = make_user(org_a.tenant, "blocked", is_active=False, department="Sales")
    make_user(org_a.tenant, "open", department="Sales")
    client = client_for(org_a.user_admin)

    response = client.post(NEW, {"name": "Blocked sellers", "department": "sales", "sign_in": "blocked"})

    view = CustomView.objects.get(tenant=org_a.tenant)
    assert view.filters == {"department": "sales", "sign_in": "blocked"} and view.created_by == org_a.user_admin
    assert response["Location"] == f"{LIST}?view={view.pk}"
    listing = client.get(response["Location"])
    assert shown(listing) == [blocked.pk]
    assert "Custom view: Department: sales; Sign-in status: Blocked." in listing.content.decode()


def test_form_errors_are_shown_per_field_and_nothing_is_saved(org_a, client_for):
    client = client_for(org_a.global_admin)
    blocked_view(org_a)

    taken = client.post(NEW, {"name": "blocked", "sign_in": "blocked"})
    empty = client.post(NEW, {"name": "Nothing"})
    both = client.post(NEW, {"name": "Both", "sku": str(Sku.objects.get(part_number="ENTERPRISEPACK").pk),
                             "unlicensed": "on"})

    assert "already exists" in taken.context["form"].errors["name"][0]
    assert "at least one filter" in empty.context["form"].non_field_errors()[0]
    assert "not both" in both.context["form"].errors["unlicensed"][0]
    assert CustomView.objects.filter(tenant=org_a.tenant).count() == 1


def test_the_51st_view_is_refused_on_the_page(org_a, client_for):
    CustomView.objects.bulk_create(CustomView(tenant=org_a.tenant, name=f"View {n}", filters={"sign_in": "blocked"})
                                   for n in range(MAX_CUSTOM_VIEWS))
    client = client_for(org_a.global_admin)

    assert "already has 50 custom views" in client.get(NEW).content.decode()
    response = client.post(NEW, {"name": "One more", "sign_in": "allowed"})

    assert "already has 50 custom views" in response.context["form"].non_field_errors()[0]
    assert CustomView.objects.filter(tenant=org_a.tenant).count() == MAX_CUSTOM_VIEWS
    assert "delete one to add another" in client.get(VIEWS).content.decode()


def test_edit_and_delete(org_a, client_for):
    view = blocked_view(org_a)
    client = client_for(org_a.global_admin)
    edit = reverse("users:custom_view_edit", args=[view.pk])
    assert client.get(edit).context["form"].initial == {"name": "Blocked", "sign_in": "blocked"}

    client.post(edit, {"name": "Allowed", "sign_in": "allowed"})
    view.refresh_from_db()
    assert (view.name, view.filters) == ("Allowed", {"sign_in": "allowed"})

    delete = reverse("users:custom_view_delete", args=[view.pk])
    assert "Sign-in status: Allowed" in client.get(delete).content.decode()
    client.post(delete)
    assert not CustomView.objects.filter(pk=view.pk).exists()


# --- the Users page with a custom view -----------------------------------------------------------

def test_the_view_selector_lists_standard_then_custom_views(org_a, org_b, client_for):
    mine = blocked_view(org_a, "Zeta")
    blocked_view(org_b, "Theirs")
    page = client_for(org_a.global_admin).get(LIST).content.decode()
    select = page[page.index('id="id_view"'):page.index("</select>")]
    assert select.index("All users") < select.index("Deleted users") < select.index("Zeta")
    assert f'value="{mine.pk}"' in select and "Theirs" not in select


def test_another_organizations_view_id_shows_all_users_not_theirs(org_a, org_b, client_for):
    theirs = blocked_view(org_b)
    make_user(org_a.tenant, "blocked", is_active=False)
    response = client_for(org_a.global_admin).get(LIST, {"view": str(theirs.pk)})
    assert response.context["view"].key == "all"
    assert len(shown(response)) == User.objects.filter(tenant=org_a.tenant).count()


def test_a_custom_view_pages_searches_and_sorts_like_the_standard_ones(org_a, client_for):
    group = group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Crowd")
    users = User.objects.bulk_create(User(tenant=org_a.tenant, upn=f"crowd{n:03}@{org_a.tenant.initial_domain}",
                                          display_name=f"Crowd {n:03}", password="!") for n in range(120))
    GroupMembership.objects.bulk_create(GroupMembership(tenant=org_a.tenant, group=group, user=u) for u in users[:110])
    view = custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="Crowd", filters={"group": str(group.pk)})
    client = client_for(org_a.global_admin)

    seen, query = [], f"view={view.pk}&sort=upn&desc=1"
    while query:
        response = client.get(f"{LIST}?{query}")
        seen += shown(response)
        match = NEXT_LINK.search(response.content.decode())
        query = html.unescape(match.group(1)) if match else None
    assert seen == [u.pk for u in sorted(users[:110], key=lambda u: u.upn, reverse=True)]
    assert shown(client.get(LIST, {"view": str(view.pk), "q": "crowd 115"})) == []
    assert shown(client.get(LIST, {"view": str(view.pk), "q": "crowd 005"})) == [users[5].pk]


def queries_of(client, params) -> tuple[int, object]:
    cache.clear()  # the photo versions of the page are cached: read them every time, as test_users_list does
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, params)
    return len(captured), response


@pytest.mark.parametrize("count", [3, 30])
def test_a_custom_view_costs_the_same_queries_for_3_and_30_users(count, org_a, client_for):
    group = group_create(tenant=org_a.tenant, actor=ACTOR, display_name="Crowd")
    users = User.objects.bulk_create(User(tenant=org_a.tenant, upn=f"aaron{n:03}@{org_a.tenant.initial_domain}",
                                          display_name=f"Aaron {n:03}", password="!") for n in range(count))
    group_members_add(group=group, actor=ACTOR, user_ids=[u.pk for u in users])
    view = custom_view_create(tenant=org_a.tenant, actor=ACTOR, name="Crowd", filters={"group": str(group.pk)})
    client = client_for(org_a.global_admin)
    client.get(LIST, {"view": str(view.pk)})

    standard, _ = queries_of(client, {"view": "all"})  # pinned in test_users_list
    custom, response = queries_of(client, {"view": str(view.pk)})

    # One more than a standard view: the names in the chosen view's help text (its group), whatever the rows.
    assert custom == standard + 1
    assert len(shown(response)) == count


def test_the_export_holds_the_custom_views_users(org_a, client_for):
    blocked = make_user(org_a.tenant, "blocked", is_active=False)
    view = blocked_view(org_a)
    response = client_for(org_a.global_admin).get(EXPORT, {"view": str(view.pk)})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [blocked.upn]


# --- roles and isolation -------------------------------------------------------------------------

def test_other_tenant_gets_404_on_a_views_pages(org_a, org_b, client_for):
    view = blocked_view(org_a)
    client = client_for(org_b.global_admin)
    for name in ("custom_view_edit", "custom_view_delete"):
        url = reverse(f"users:{name}", args=[view.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "B's", "sign_in": "allowed"}).status_code == 404
    view.refresh_from_db()
    assert (view.name, view.filters) == ("Blocked", {"sign_in": "blocked"})


def test_roles_that_only_read_users_get_403_on_changes(org_a, client_for):
    view = blocked_view(org_a)
    for role in ("password_admin", "service_admin"):
        client = client_for(org_a.member(role))
        assert client.get(VIEWS).status_code == 200
        assert client.post(NEW, {"name": "X", "sign_in": "allowed"}).status_code == 403
        assert client.post(reverse("users:custom_view_delete", args=[view.pk])).status_code == 403
    for role in ("billing_admin", "user"):
        assert client_for(org_a.member(role)).get(VIEWS).status_code == 403
    assert CustomView.objects.filter(tenant=org_a.tenant).count() == 1


@pytest.mark.parametrize("count", [3, 30])
def test_the_views_page_costs_the_same_queries_for_3_and_30_views(count, org_a, client_for):
    groups = [group_create(tenant=org_a.tenant, actor=ACTOR, display_name=f"Group {n}") for n in range(count)]
    e3 = Sku.objects.get(part_number="ENTERPRISEPACK")
    CustomView.objects.bulk_create(CustomView(tenant=org_a.tenant, name=f"View {n}",
                                              filters={"group": str(group.pk), "sku": str(e3.pk)})
                                   for n, group in enumerate(groups))
    client = client_for(org_a.global_admin)
    client.get(VIEWS)
    cache.clear()  # the header photo and the billing banner are cached: count their queries every time

    with CaptureQueriesContext(connection) as captured:
        response = client.get(VIEWS)

    assert len(response.context["rows"]) == count
    assert all(row["filters"][0].startswith("License: Office 365") for row in response.context["rows"])
    # The session, the admin, their roles, the views, the plan names and the group names of all views at once, the
    # header's photo version and the admin shell's billing banner.
    assert len(captured) == 8, [q["sql"][:80] for q in captured]

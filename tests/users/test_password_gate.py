"""The password gate: a temporary or expired password sends every page to Change password first."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse

from tenantadmin.actors import Actor
from tests.portal_urls import portal_patterns
from users.password_services import password_reset_by_admin

pytestmark = pytest.mark.django_db

CHANGE = "/password/change/"
PASSING = {"users:password_change", "users:signout"}


@pytest.fixture
def temporary_admin(org_a):
    """A user management administrator whose password the global administrator just reset."""
    temporary = password_reset_by_admin(user=org_a.user_admin, actor=Actor.for_user(org_a.global_admin))
    return org_a.user_admin, temporary


def test_every_portal_page_sends_a_temporary_password_to_change_password(temporary_admin, client_for):
    person, _temporary = temporary_admin
    client = client_for(person)
    pages = [(name, route) for name, route, _cb in portal_patterns() if "<" not in route and name not in PASSING]
    assert len(pages) > 15
    for name, _route in pages:
        url = reverse(name)
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"] == f"{CHANGE}?next={quote(url, safe='')}", name
    reset_page = reverse("users:password_reset_admin", args=[person.tenant.users.exclude(pk=person.pk).first().pk])
    assert client.get(reset_page)["Location"].startswith(CHANGE)
    assert client.post(reverse("tenantadmin:organization_edit"))["Location"] == CHANGE


def test_after_the_change_the_admin_reaches_the_overview(temporary_admin, client_for):
    person, temporary = temporary_admin
    client = client_for(person)
    page = client.get(f"{CHANGE}?next=/admin/")
    assert "Your password is temporary" in page.content.decode()
    response = client.post(CHANGE, {"current_password": temporary, "new_password": "Brand#New#Pass9",
                                    "confirm_password": "Brand#New#Pass9", "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get(reverse("users:list")).status_code == 200


def test_sign_out_still_works(temporary_admin, client_for):
    client = client_for(temporary_admin[0])
    response = client.post(reverse("users:signout"))
    assert response.status_code == 302 and response["Location"] == reverse("users:signin")
    assert "_auth_user_id" not in client.session


def test_htmx_requests_get_a_client_side_redirect(temporary_admin, client_for):
    response = client_for(temporary_admin[0]).get("/admin/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{CHANGE}?next=%2Fadmin%2F"


def test_the_api_and_static_files_are_not_redirected(temporary_admin, client_for):
    client = client_for(temporary_admin[0])
    assert not client.get("/v1.0/me").get("Location", "").startswith(CHANGE)
    assert client.get("/static/css/portal.css").status_code == 200


def test_staff_are_not_gated(client, django_user_model):
    staff = django_user_model.objects.create_superuser("support@operator.example", "Staff#Pass123")
    staff.must_change_password = True
    staff.save(update_fields=["must_change_password"])
    client.force_login(staff, backend="users.backends.PrincipalNameBackend")
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_expired_password_is_gated_too(org_a, client_for, time_machine):
    time_machine.move_to(org_a.user.password_expires_at() + timedelta(minutes=1), tick=False)
    client = client_for(org_a.user)
    assert client.get(reverse("users:profile"))["Location"].startswith(CHANGE)
    assert "Your password expired on" in client.get(CHANGE).content.decode()


def test_people_with_a_current_password_pass_freely(org_a, client_for):
    assert client_for(org_a.user).get(reverse("users:profile")).status_code == 200


def test_the_gate_costs_no_query_beyond_loading_the_session(temporary_admin, client_for, django_assert_num_queries):
    client = client_for(temporary_admin[0])
    with django_assert_num_queries(2):  # the session and the user with its organization
        assert client.get("/admin/").status_code == 302


def test_a_non_get_request_is_sent_without_next(temporary_admin, client_for):
    assert client_for(temporary_admin[0]).post(reverse("users:profile"))["Location"] == CHANGE

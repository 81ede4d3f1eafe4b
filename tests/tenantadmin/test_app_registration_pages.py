"""App registrations in the portal: create, secrets shown once and stored as digests, revoke, delete."""

import hashlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tenantadmin.actors import Actor
from tenantadmin.models import AppRegistration, AppSecret, AuditEvent
from tenantadmin.services.app_registrations import app_registration_create, app_secret_create, app_secret_revoke

pytestmark = pytest.mark.django_db

CREATE = reverse("tenantadmin:app_create")


def make_app(org, name="Payroll sync", permissions=("User.Read.All",)):
    return app_registration_create(tenant=org.tenant, actor=Actor.system("tests"), display_name=name,
                                   permissions=list(permissions))


def make_secret(app, **kwargs):
    secret, _plain = app_secret_create(app=app, actor=Actor.system("tests"), **kwargs)
    return secret


def url(name, *args):
    return reverse(f"tenantadmin:{name}", args=args)


def events(tenant, action):
    return AuditEvent.objects.filter(tenant=tenant, action=action)


def test_create_with_two_permissions_redirects_to_the_app_and_is_audited(org_a, client_for):
    response = client_for(org_a.global_admin).post(
        CREATE, {"display_name": "Payroll sync", "permissions": ["User.Read.All", "Group.Read.All"]})

    app = AppRegistration.objects.get(tenant=org_a.tenant)
    assert response.status_code == 302
    assert response.url == url("app_detail", app.pk)
    assert app.display_name == "Payroll sync"
    assert app.permissions == ["Group.Read.All", "User.Read.All"]
    assert app.created_by == org_a.global_admin
    event = events(org_a.tenant, "app_registration.create").get()
    assert event.target_id == str(app.pk)
    assert event.changes["permissions"] == [None, ["Group.Read.All", "User.Read.All"]]


@pytest.mark.parametrize("data, field", [
    ({"display_name": "Script", "permissions": ["User.Read.All", "Mail.Send.Everything"]}, "permissions"),
    ({"display_name": "", "permissions": ["User.Read.All"]}, "display_name"),
    ({"display_name": "   ", "permissions": ["User.Read.All"]}, "display_name"),
    ({"display_name": "x" * 121, "permissions": []}, "display_name"),
])
def test_invalid_registration_is_refused_with_a_field_error(data, field, org_a, client_for):
    response = client_for(org_a.global_admin).post(CREATE, data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not AppRegistration.objects.filter(tenant=org_a.tenant).exists()
    assert not events(org_a.tenant, "app_registration.create").exists()


def test_detail_saves_a_new_name_and_permissions(org_a, client_for):
    app = make_app(org_a)

    response = client_for(org_a.global_admin).post(url("app_detail", app.pk), {
        "display_name": "Payroll v2", "permissions": ["User.ReadWrite.All"]})

    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.display_name, app.permissions) == ("Payroll v2", ["User.ReadWrite.All"])
    assert events(org_a.tenant, "app_registration.update").get().changes == {
        "display_name": ["Payroll sync", "Payroll v2"], "permissions": [["User.Read.All"], ["User.ReadWrite.All"]]}


def test_new_secret_is_shown_once_and_only_its_digest_is_stored(org_a, client_for):
    app = make_app(org_a)
    client = client_for(org_a.global_admin)

    response = client.post(url("secret_create", app.pk), {"display_name": "CI", "months": "12"})
    assert response.status_code == 302
    assert response.url == url("app_detail", app.pk)

    first = client.get(url("app_detail", app.pk))
    assert 'id="new-secret"' in first.content.decode()
    plain = first.context["new_secret"]["value"]
    assert plain in first.content.decode()

    again = client.get(url("app_detail", app.pk))
    assert 'id="new-secret"' not in again.content.decode()
    assert plain not in again.content.decode()

    secret = AppSecret.objects.get(app=app)
    assert secret.digest == hashlib.sha256(plain.encode()).hexdigest()
    assert secret.hint == plain[:3]
    assert secret.display_name == "CI"
    assert events(org_a.tenant, "app_secret.create").get().target_id == str(app.pk)
    assert_nowhere_in_the_database(plain)


def assert_nowhere_in_the_database(plain: str) -> None:
    for model in apps.get_models():
        for row in model.objects.values():
            assert plain not in str(row), f"the secret is stored in {model.__name__}"
    # Session data is signed and compressed, so it is checked decoded.
    for session in Session.objects.all():
        assert plain not in str(session.get_decoded())


def test_revoking_a_secret_records_when_and_is_audited(org_a, client_for):
    app = make_app(org_a)
    secret = make_secret(app)

    response = client_for(org_a.global_admin).post(url("secret_revoke", app.pk, secret.pk))

    assert response.status_code == 302
    secret.refresh_from_db()
    assert secret.revoked_at is not None
    assert timezone.now() - secret.revoked_at < timedelta(minutes=1)
    event = events(org_a.tenant, "app_secret.revoke").get()
    assert event.actor == org_a.global_admin
    assert event.changes["key"][0].startswith(secret.hint)


def test_another_apps_secret_cannot_be_revoked_through_this_app(org_a, client_for):
    app = make_app(org_a)
    other_secret = make_secret(make_app(org_a, "Other program"))

    response = client_for(org_a.global_admin).post(url("secret_revoke", app.pk, other_secret.pk))

    assert response.status_code == 404
    other_secret.refresh_from_db()
    assert other_secret.revoked_at is None
    assert not events(org_a.tenant, "app_secret.revoke").exists()


def test_delete_page_says_what_will_be_lost_and_delete_removes_the_app(org_a, client_for):
    app = make_app(org_a)
    make_secret(app)
    make_secret(app)
    app_secret_revoke(secret=make_secret(app), actor=Actor.system("tests"))
    client = client_for(org_a.global_admin)

    page = client.get(url("app_delete", app.pk))
    assert page.status_code == 200
    assert "2 active client secrets" in page.content.decode()

    response = client.post(url("app_delete", app.pk))
    assert response.status_code == 302
    assert response.url == url("apps")
    assert not AppRegistration.objects.filter(pk=app.pk).exists()
    assert not AppSecret.objects.filter(app_id=app.pk).exists()
    assert events(org_a.tenant, "app_registration.delete").get().target_id == str(app.pk)


def test_delete_page_does_not_count_expired_secrets_as_active(org_a, client_for):
    app = make_app(org_a)
    make_secret(app)
    make_secret(app, months=1, now=timezone.now() - timedelta(days=90))

    page = client_for(org_a.global_admin).get(url("app_delete", app.pk))

    # The token endpoint refuses an expired secret, so deleting the app loses only the live one.
    assert page.context["active_secrets"] == 1


def test_secret_actions_must_be_posted(org_a, client_for):
    app = make_app(org_a)
    secret = make_secret(app)
    client = client_for(org_a.global_admin)

    assert client.get(url("secret_create", app.pk)).status_code == 405
    assert client.get(url("secret_revoke", app.pk, secret.pk)).status_code == 405
    assert AppSecret.objects.filter(app=app).count() == 1
    secret.refresh_from_db()
    assert secret.revoked_at is None


def test_app_list_shows_only_the_own_organizations_apps(org_a, org_b, client_for):
    make_app(org_a, "Contoso script")
    make_app(org_b, "Fabrikam script")

    body = client_for(org_a.global_admin).get(url("apps")).content.decode()

    assert "Contoso script" in body
    assert "Fabrikam script" not in body


def test_admins_without_the_right_cannot_manage_apps(org_a, client_for):
    app = make_app(org_a)
    client = client_for(org_a.user_admin)

    assert client.get(url("apps")).status_code == 403
    assert client.post(CREATE, {"display_name": "Sneaky", "permissions": []}).status_code == 403
    assert client.post(url("secret_create", app.pk), {"months": "6"}).status_code == 403
    assert client.post(url("app_delete", app.pk)).status_code == 403
    assert AppRegistration.objects.filter(tenant=org_a.tenant).count() == 1
    assert not AppSecret.objects.filter(app=app).exists()

"""The staff site (/staff/) for the operator's support staff."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from billing.models import Sku, Subscription
from domains.models import Domain
from tenantadmin.actors import Actor
from tenantadmin.models import AppSecret, AuditEvent, Job, Tenant
from tenantadmin.services.app_registrations import app_registration_create, app_secret_create
from tests.factories import PASSWORD, make_user
from users.models import User

STAFF_UPN = "support@operator.example"


@pytest.fixture
def staff(db):
    return User.objects.create_superuser(STAFF_UPN, PASSWORD)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff, backend="users.backends.PrincipalNameBackend")
    return client


@pytest.fixture
def app_a(org_a):
    app = app_registration_create(tenant=org_a.tenant, actor=Actor.system("tests"), display_name="HR sync",
                                  permissions=["User.Read.All"])
    app_secret_create(app=app, actor=Actor.system("tests"))
    return app


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_createsuperuser_makes_a_staff_account_without_organization(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)

    call_command("createsuperuser", interactive=False, upn="Helpdesk@Operator.example", display_name="Helpdesk",
                 stdout=io.StringIO())

    staff = User.objects.get(upn="helpdesk@operator.example")
    assert staff.tenant_id is None and staff.is_staff and staff.is_superuser
    assert staff.check_password(PASSWORD)


def test_staff_signs_in_through_the_staff_login_form(client, staff):
    response = client.post(reverse("admin:login"), {"username": STAFF_UPN, "password": PASSWORD, "next": "/staff/"})

    assert response.status_code == 302 and response.url == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_staff_opens_every_changelist(staff_client, org_a, app_a):
    for model in (Tenant, User, AuditEvent, Job, type(app_a), Domain, Sku, Subscription):
        response = staff_client.get(admin_url(model, "changelist"))
        assert response.status_code == 200, model


def test_staff_opens_the_pages_of_organization_a(staff_client, org_a, app_a):
    tenant = org_a.tenant
    job = Job.objects.create(tenant=tenant, kind="audit_export", title="Export the audit log", total=10, done=4)
    objects = [
        tenant, org_a.global_admin, AuditEvent.objects.filter(tenant=tenant).first(), job, app_a,
        Domain.objects.get(tenant=tenant), Sku.objects.get(part_number="ENTERPRISEPACK"),
        Subscription.objects.get(tenant=tenant),
    ]
    for obj in objects:
        response = staff_client.get(admin_url(type(obj), "change", obj.pk))
        assert response.status_code == 200, obj


def test_organization_page_shows_domains_subscriptions_and_settings(staff_client, org_a):
    response = staff_client.get(admin_url(Tenant, "change", org_a.tenant.pk))

    content = response.content.decode()
    assert org_a.tenant.initial_domain in content
    assert "Office 365 Enterprise E3" in content
    assert "calendar publishing" in content.lower()


def test_app_page_shows_secret_hints_but_never_digests(staff_client, app_a):
    secret = AppSecret.objects.get(app=app_a)

    content = staff_client.get(admin_url(type(app_a), "change", app_a.pk)).content.decode()

    assert secret.hint in content
    assert secret.digest not in content


def test_user_page_never_shows_the_password_hash(staff_client, org_a):
    content = staff_client.get(admin_url(User, "change", org_a.user.pk)).content.decode()

    assert org_a.user.upn in content
    assert org_a.user.password not in content


def test_user_search_finds_by_user_name_and_display_name(staff_client, org_a, org_b):
    response = staff_client.get(admin_url(User, "changelist"), {"q": f"@{org_a.tenant.initial_domain}"})
    found = {user.upn for user in response.context["cl"].result_list}
    assert org_a.user_admin.upn in found and org_b.user_admin.upn not in found

    response = staff_client.get(admin_url(User, "changelist"), {"q": org_b.global_admin.display_name})
    assert [user.pk for user in response.context["cl"].result_list] == [org_b.global_admin.pk]


def test_tenant_and_audit_search(staff_client, org_a, org_b):
    response = staff_client.get(admin_url(Tenant, "changelist"), {"q": "contosob"})
    assert list(response.context["cl"].result_list) == [org_b.tenant]

    response = staff_client.get(admin_url(AuditEvent, "changelist"), {"q": org_a.tenant.name})
    assert {event.tenant_id for event in response.context["cl"].result_list} == {org_a.tenant.pk}


def test_tenant_list_counts_live_users(staff_client, org_a):
    response = staff_client.get(admin_url(Tenant, "changelist"))

    (row,) = response.context["cl"].result_list
    assert row.live_users == User.objects.filter(tenant=org_a.tenant).count() == 6


def test_block_and_allow_sign_in_write_staff_audit_events(staff_client, staff, org_a, org_b):
    url = admin_url(User, "changelist")
    targets = [org_a.user.pk, org_b.user.pk]

    response = staff_client.post(url, {"action": "block_sign_in", "_selected_action": targets})

    assert response.status_code == 302
    assert not User.objects.filter(pk__in=targets, is_active=True).exists()
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="user.update", target_id=str(org_a.user.pk))
    assert (event.actor_type, event.actor_label, event.actor) == ("staff", STAFF_UPN, staff)
    assert event.changes == {"is_active": [True, False]}
    assert AuditEvent.objects.filter(tenant=org_b.tenant, action="user.update", actor_type="staff").count() == 1

    staff_client.post(url, {"action": "allow_sign_in", "_selected_action": [org_a.user.pk]})

    assert User.objects.get(pk=org_a.user.pk).is_active
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="user.update").count() == 2


def test_block_skips_accounts_already_blocked_and_staff_accounts(staff_client, staff, org_a):
    url = admin_url(User, "changelist")
    staff_client.post(url, {"action": "block_sign_in", "_selected_action": [org_a.user.pk]})

    staff_client.post(url, {"action": "block_sign_in", "_selected_action": [org_a.user.pk, staff.pk]})

    assert AuditEvent.objects.filter(action="user.update").count() == 1
    assert User.objects.get(pk=staff.pk).is_active


def test_staff_edit_of_an_organization_goes_through_the_service(staff_client, org_a):
    url = admin_url(Tenant, "change", org_a.tenant.pk)
    data = form_data(staff_client.get(url))
    data["name"] = "Contoso Renamed"

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    org_a.tenant.refresh_from_db()
    assert org_a.tenant.name == "Contoso Renamed"
    event = AuditEvent.objects.get(tenant=org_a.tenant, action="organization.update")
    assert (event.actor_type, event.changes) == ("staff", {"name": ["Contoso CONTOSOA", "Contoso Renamed"]})


def test_staff_cannot_add_organizations_or_write_to_the_audit_log(staff_client, org_a):
    assert staff_client.get(admin_url(Tenant, "add")).status_code == 403
    event = AuditEvent.objects.filter(tenant=org_a.tenant).first()
    assert staff_client.get(admin_url(AuditEvent, "delete", event.pk)).status_code == 403
    assert staff_client.post(admin_url(AuditEvent, "change", event.pk), {"action": "x"}).status_code == 403


def test_only_superusers_may_delete_organizations(client, org_a):
    support = User.objects.create_user("helpdesk@operator.example", PASSWORD, display_name="Helpdesk", is_staff=True)
    support.user_permissions.add(*Permission.objects.filter(codename__in=["view_tenant", "delete_tenant"]))
    client.force_login(support, backend="users.backends.PrincipalNameBackend")

    assert client.get(admin_url(Tenant, "delete", org_a.tenant.pk)).status_code == 403


def test_tenant_admin_is_sent_away_from_the_staff_site(client_for, org_a):
    client = client_for(org_a.global_admin)

    response = client.get("/staff/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_tenant_admin_cannot_sign_in_to_the_staff_site(client, org_a):
    response = client.post(reverse("admin:login"), {"username": org_a.global_admin.upn, "password": PASSWORD})

    assert response.status_code == 200  # the form again, with its error
    assert client.get("/staff/").status_code == 302


@pytest.mark.parametrize("model", [User, AuditEvent, Tenant])
def test_changelist_query_count_does_not_grow_with_rows(staff_client, org_a, model, django_assert_max_num_queries):
    url = admin_url(model, "changelist")
    with django_assert_max_num_queries(8) as few:
        staff_client.get(url)
    for n in range(20):
        make_user(org_a.tenant, f"extra{n}", roles=["billing_admin"] if n % 2 else ())
    with django_assert_max_num_queries(len(few)):
        staff_client.get(url)


def form_data(response) -> dict:
    """The change form's current values, inline management forms included, as a browser would post them."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for field in form:
            value = field.value()
            if value is not None and value is not False:
                data[field.html_name] = value
    return data

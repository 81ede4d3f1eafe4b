"""Sign-up: the happy path, each invalid field, the live domain check, and all-or-nothing creation."""

import pytest
from captcha.models import CaptchaStore
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing.models import Sku, Subscription
from domains.models import Domain
from tenantadmin.models import AuditEvent, ServiceSettings, Tenant
from tenantadmin.roles import Role
from users.models import User
from users.signup import tenant_sign_up

pytestmark = pytest.mark.django_db


def captcha_fields() -> dict:
    """A real captcha challenge and its answer, read back from the captcha store."""
    key = CaptchaStore.generate_key()
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def signup_data(**overrides) -> dict:
    data = {
        "plan": str(Sku.objects.get(part_number="ENTERPRISEPACK").pk),
        "country": "NL", "preferred_language": "nl", "first_name": "Ada", "last_name": "Lovelace",
        "organization_name": "Fabrikam Inc.", "alternate_email": "ada@example.net", "initial_domain": "fabrikam",
        "alias": "ada", "password": "Analytic#Engine1", "password_confirm": "Analytic#Engine1",
        "accept_agreement": "on", **captcha_fields(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_signup_creates_organization_and_signs_in_global_admin(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("users:signup"), signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("tenantadmin:overview")
    tenant = Tenant.objects.get(initial_domain="fabrikam.tenantadmin.example")
    assert tenant.country.code == "NL" and tenant.preferred_language == "nl"
    assert tenant.default_domain == tenant.initial_domain
    admin = User.objects.get(upn="ada@fabrikam.tenantadmin.example")
    assert admin.tenant == tenant and admin.display_name == "Ada Lovelace"
    assert admin.role_codes == {Role.GLOBAL_ADMIN}
    assert admin.check_password("Analytic#Engine1") and not admin.must_change_password
    domain = Domain.objects.get(tenant=tenant)
    assert domain.is_initial and domain.status == Domain.Status.ACTIVE and domain.verified_at
    assert ServiceSettings.objects.filter(tenant=tenant).exists()
    trial = Subscription.objects.get(tenant=tenant)
    assert trial.is_trial and trial.quantity == 25
    assert {"organization.create", "domain.create", "user.create", "role.assign", "subscription.trial_start"} <= set(
        AuditEvent.objects.filter(tenant=tenant).values_list("action", flat=True))
    # Signed in: the overview answers.
    assert client.get(reverse("tenantadmin:overview")).status_code == 200
    # Welcome mail to the alternate address with the user ID and the sign-in address.
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ada@example.net"]
    assert "ada@fabrikam.tenantadmin.example" in mail.body and "/signin/" in mail.body


@pytest.mark.parametrize("field, value, message", [
    ("initial_domain", "a", "Use 2 to 27 characters"),
    ("initial_domain", "-fabrikam", "lower-case letters, digits and hyphens"),
    ("initial_domain", "fab rikam", "lower-case letters, digits and hyphens"),
    ("initial_domain", "xn--fabrikam", "reserved for international names"),
    ("initial_domain", "www", "reserved"),
    ("initial_domain", "f" * 28, "at most 27 characters"),
    ("alias", ".ada", "no dot at the start or end"),
    ("alias", "a" * 31, "at most 30 characters"),
    ("alternate_email", "not-an-address", "valid email"),
    ("alternate_email", "ada@fabrikam.tenantadmin.example", "outside the new organization"),
    ("password", "short1A", "Use 8 to 16 characters"),
    ("password", "alllowercase1", "upper-case letter"),
    ("password", "ALLUPPERCASE1", "lower-case letter"),
    ("password", "NoDigitsHere", "digit or a symbol"),
    ("password", "Has Space1x", "spaces"),
    ("password", "Ada#Password1", "user name"),
    ("password_confirm", "Different#Pass1", "do not match"),
    ("organization_name", "", "required"),
    ("first_name", "", "required"),
    ("country", "ZZ", "valid choice"),
    ("preferred_language", "xx", "valid choice"),
    ("plan", "00000000-0000-0000-0000-000000000000", "valid choice"),
    ("accept_agreement", None, "accept the service agreement"),
    ("captcha_1", "WRONG", "Invalid CAPTCHA"),
])
def test_signup_rejects_each_invalid_field_and_creates_nothing(client, field, value, message):
    data = signup_data(**{field: value})
    if field == "password":
        data["password_confirm"] = value
    response = client.post(reverse("users:signup"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Tenant.objects.exists() and not User.objects.exists()


def test_signup_refuses_a_taken_initial_domain(client, org_a):
    response = client.post(reverse("users:signup"), signup_data(initial_domain="contosoa"))
    assert "contosoa.tenantadmin.example is already taken" in response.content.decode()
    assert Tenant.objects.count() == 1
    assert not User.objects.filter(upn="ada@contosoa.tenantadmin.example").exists()


def test_signup_is_one_transaction_when_the_admin_cannot_be_created(db):
    # The organization is created before its admin; when the admin is refused (here a password
    # that breaks the policy, which the form would have caught) nothing may remain.
    with pytest.raises(ValidationError):
        tenant_sign_up(organization_name="Half", country="US", preferred_language="en", first_name="A",
                       last_name="B", alternate_email="a@example.net", initial_label="halfmade", alias="ab",
                       password="weak", plan=None)
    assert not Tenant.objects.exists() and not Domain.objects.exists() and not AuditEvent.objects.exists()


def test_domain_check_reports_available_taken_and_invalid(client, org_a):
    url = reverse("users:signup_check_domain")
    assert 'data-available="true"' in client.get(url, {"initial_domain": "Northwind"}).content.decode()
    taken = client.get(url, {"initial_domain": "contosoa"}).content.decode()
    assert 'data-available="false"' in taken and "already taken" in taken
    assert "lower-case letters" in client.get(url, {"initial_domain": "bad_label"}).content.decode()
    assert client.get(url, {"initial_domain": ""}).content.decode().strip() == ""


def test_signup_page_renders_with_captcha_and_domain_suffix(client):
    page = client.get(reverse("users:signup")).content.decode()
    assert "captcha_0" in page and ".tenantadmin.example" in page and "hx-get" in page


def test_signed_in_people_are_sent_home_from_signup(client_for, org_a):
    assert client_for(org_a.user).get(reverse("users:signup")).status_code == 302

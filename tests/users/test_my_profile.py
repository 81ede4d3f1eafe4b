"""My profile: each section saves through its own URL and service, is audited, and refuses bad input whole."""

import pytest
from django.urls import NoReverseMatch, reverse

from tenantadmin.models import AuditEvent
from users.models import ContactPreferences, User

pytestmark = pytest.mark.django_db

PROFILE = reverse("users:profile")
SECTION_PAGES = ["users:profile", "users:profile_details", "users:profile_photo", "users:profile_language",
                 "users:profile_contact", "users:profile_alternate_email"]


def profile_events(user):
    return list(AuditEvent.objects.filter(tenant=user.tenant, action="user.profile_update", target_id=str(user.pk)).order_by("occurred_at", "id"))


def reload(user) -> User:
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("name", SECTION_PAGES)
def test_every_section_opens_for_a_member_without_a_role(name, org_a, client_for):
    response = client_for(org_a.user).get(reverse(name))
    assert response.status_code == 200
    assert org_a.user.upn in response.content.decode()


def test_profile_needs_sign_in(client):
    response = client.get(PROFILE)
    assert response.status_code == 302 and reverse("users:signin") in response["Location"]


def test_password_section_links_to_change_password_when_that_page_exists(org_a, client_for):
    page = client_for(org_a.user).get(PROFILE).content.decode()
    try:
        change_url = reverse("users:password_change")
    except NoReverseMatch:  # the page is built separately; until then the section says so instead of failing
        assert 'id="change-password"' not in page
    else:
        assert f'href="{change_url}"' in page


# --- Display name ---------------------------------------------------------------------------------

def test_display_name_is_saved_and_audited(org_a, client_for):
    user = org_a.user
    before = user.display_name
    response = client_for(user).post(reverse("users:profile_details"), {"display_name": "  Plain Person  "}, follow=True)

    assert response.redirect_chain[-1][0] == PROFILE
    assert "Your display name was saved." in response.content.decode()
    assert reload(user).display_name == "Plain Person"
    [event] = profile_events(user)
    assert event.changes == {"display_name": [before, "Plain Person"]}
    assert event.actor_id == user.pk


@pytest.mark.parametrize("value, message", [("   ", "This field is required."), ("x" * 257, "at most 256 characters")])
def test_bad_display_name_is_a_field_error_and_nothing_is_saved(value, message, org_a, client_for):
    before = org_a.user.display_name
    response = client_for(org_a.user).post(reverse("users:profile_details"), {"display_name": value})

    assert response.status_code == 200
    assert message in " ".join(response.context["details_form"].errors["display_name"])
    assert reload(org_a.user).display_name == before
    assert profile_events(org_a.user) == []


def test_saving_without_a_change_writes_no_audit_event(org_a, client_for):
    client_for(org_a.user).post(reverse("users:profile_details"), {"display_name": org_a.user.display_name})
    assert profile_events(org_a.user) == []


# --- Language and time zone ----------------------------------------------------------------------

def test_language_and_time_zone_are_saved_and_audited(org_a, client_for):
    user = org_a.user
    response = client_for(user).post(reverse("users:profile_language"),
                                     {"language": "de", "time_zone": "Europe/Berlin"})

    assert response.status_code == 302 and response["Location"] == reverse("users:profile_language")
    user = reload(user)
    assert (user.language, user.time_zone) == ("de", "Europe/Berlin")
    [event] = profile_events(user)
    assert event.changes == {"language": ["", "de"], "time_zone": ["", "Europe/Berlin"]}


def test_language_and_time_zone_can_go_back_to_the_defaults(org_a, client_for):
    User.objects.filter(pk=org_a.user.pk).update(language="nl", time_zone="Europe/Amsterdam")
    client_for(org_a.user).post(reverse("users:profile_language"), {"language": "", "time_zone": ""})
    user = reload(org_a.user)
    assert (user.language, user.time_zone) == ("", "")


@pytest.mark.parametrize("data, field, message", [
    ({"language": "fr", "time_zone": "Europe/Berlin"}, "language", "Choose one of the offered languages."),
    ({"language": "de", "time_zone": "Mars/Olympus_Mons"}, "time_zone", "Choose a time zone from the list"),
    ({"language": "de", "time_zone": "europe/berlin"}, "time_zone", "Choose a time zone from the list"),
    ({"language": "de", "time_zone": "Europe/" + "x" * 60}, "time_zone", "at most 64 characters"),
])
def test_unknown_language_or_time_zone_is_a_field_error_and_nothing_is_saved(data, field, message, org_a, client_for):
    response = client_for(org_a.user).post(reverse("users:profile_language"), data)

    assert response.status_code == 200
    assert message in " ".join(response.context["regional_form"].errors[field])
    user = reload(org_a.user)
    assert (user.language, user.time_zone) == ("", "")  # the valid half was not saved either
    assert profile_events(org_a.user) == []


def test_time_zone_page_offers_the_iana_zones_in_a_datalist(org_a, client_for):
    page = client_for(org_a.user).get(reverse("users:profile_language")).content.decode()
    assert 'list="time-zone-names"' in page and '<option value="Pacific/Auckland">' in page
    assert "does not change your organization" in page


# --- Contact preferences -------------------------------------------------------------------------

CONTACT = {"preferred_phone": "+31 20 123 4567", "preferred_mobile": "+31 6 1234 5678",
           "preferred_email": "plain.private@example.org", "promotional_offers": "on", "educational_content": "on"}


def test_contact_preferences_are_created_on_the_first_save(org_a, client_for):
    user = org_a.user
    assert not ContactPreferences.objects.filter(user=user).exists()
    response = client_for(user).post(reverse("users:profile_contact"), CONTACT, follow=True)

    assert "Your contact preferences were saved." in response.content.decode()
    preferences = ContactPreferences.objects.get(user=user)
    assert preferences.tenant_id == user.tenant_id
    assert preferences.preferred_email == "plain.private@example.org"
    assert (preferences.promotional_offers, preferences.educational_content) == (True, True)
    assert (preferences.customer_research, preferences.partner_communications, preferences.compliance_notices) == (
        False, False, False)  # an unticked box is a "no", also for the one that starts ticked
    [event] = profile_events(user)
    assert event.changes["contact.preferred_phone"] == ["", "+31 20 123 4567"]
    assert event.changes["contact.compliance_notices"] == [True, False]


def test_contact_preferences_are_updated_in_place(org_a, client_for):
    client = client_for(org_a.user)
    client.post(reverse("users:profile_contact"), CONTACT)
    client.post(reverse("users:profile_contact"), {**CONTACT, "preferred_phone": "+31 20 999 9999"})

    assert ContactPreferences.objects.get(user=org_a.user).preferred_phone == "+31 20 999 9999"
    assert ContactPreferences.objects.filter(user=org_a.user).count() == 1
    assert profile_events(org_a.user)[-1].changes == {"contact.preferred_phone": ["+31 20 123 4567", "+31 20 999 9999"]}


@pytest.mark.parametrize("field, value", [("preferred_email", "not-an-address"), ("preferred_phone", "1" * 65),
                                          ("preferred_email", "a" * 250 + "@example.org")])
def test_bad_contact_preferences_are_field_errors_and_nothing_is_saved(field, value, org_a, client_for):
    response = client_for(org_a.user).post(reverse("users:profile_contact"), {**CONTACT, field: value})

    assert response.status_code == 200
    assert response.context["contact_form"].errors[field]
    assert not ContactPreferences.objects.filter(user=org_a.user).exists()


# --- Alternate e-mail ----------------------------------------------------------------------------

def test_alternate_email_outside_the_organization_is_saved_without_a_warning(org_a, client_for):
    response = client_for(org_a.user).post(reverse("users:profile_alternate_email"),
                                           {"alternate_email": "plain@example.org"}, follow=True)
    page = response.content.decode()
    assert "Your alternate e-mail address was saved." in page
    assert "alert-warning" not in page
    assert reload(org_a.user).alternate_email == "plain@example.org"
    assert profile_events(org_a.user)[0].changes == {"alternate_email": ["", "plain@example.org"]}


def test_alternate_email_inside_the_organization_is_saved_with_a_warning(org_a, client_for):
    inside = f"Someone@{org_a.tenant.initial_domain.upper()}"
    response = client_for(org_a.user).post(reverse("users:profile_alternate_email"),
                                           {"alternate_email": inside}, follow=True)
    page = response.content.decode()

    assert reload(org_a.user).alternate_email == inside  # a warning, not an error
    assert "alert-warning" in page and "inside your organization" in page
    assert 'id="alternate-email-inside"' in page  # and it stays on the tab until the address changes


def test_a_domain_of_another_organization_is_not_inside(org_a, org_b, client_for):
    response = client_for(org_a.user).post(reverse("users:profile_alternate_email"),
                                           {"alternate_email": f"x@{org_b.tenant.initial_domain}"}, follow=True)
    assert "inside your organization" not in response.content.decode()


def test_invalid_alternate_email_is_a_field_error(org_a, client_for):
    response = client_for(org_a.user).post(reverse("users:profile_alternate_email"), {"alternate_email": "nope@"})
    assert response.status_code == 200
    assert response.context["alternate_form"].errors["alternate_email"] == [
        "Enter a valid e-mail address, such as name@example.com."]
    assert reload(org_a.user).alternate_email == ""


@pytest.mark.parametrize("role_name", ["global_admin", "user_admin", "password_admin"])
def test_administrators_cannot_clear_their_alternate_email(role_name, org_a, client_for):
    admin = org_a.member(role_name)
    before = admin.alternate_email
    response = client_for(admin).post(reverse("users:profile_alternate_email"), {"alternate_email": ""})

    assert response.status_code == 200
    assert "Administrators need an alternate e-mail address" in " ".join(
        response.context["alternate_form"].errors["alternate_email"])
    assert reload(admin).alternate_email == before


def test_the_service_also_refuses_an_administrator_without_alternate_email(org_a):
    from django.core.exceptions import ValidationError

    from tenantadmin.actors import Actor
    from users.profile_services import profile_alternate_email_update

    with pytest.raises(ValidationError) as error:
        profile_alternate_email_update(user=org_a.global_admin, actor=Actor.for_user(org_a.global_admin),
                                       alternate_email="")
    assert "alternate_email" in error.value.message_dict


def test_a_member_without_a_role_may_clear_the_alternate_email(org_a, client_for):
    User.objects.filter(pk=org_a.user.pk).update(alternate_email="plain@example.org")
    client_for(org_a.user).post(reverse("users:profile_alternate_email"), {"alternate_email": ""})
    assert reload(org_a.user).alternate_email == ""


def test_each_section_changes_only_its_own_fields(org_a, client_for):
    client = client_for(org_a.user)
    client.post(reverse("users:profile_language"), {"language": "nl", "time_zone": "Europe/Amsterdam"})
    client.post(reverse("users:profile_details"), {"display_name": "Renamed"})
    user = reload(org_a.user)
    assert (user.display_name, user.language, user.time_zone) == ("Renamed", "nl", "Europe/Amsterdam")

"""/v1.0/me: the signed-in person's profile and password through the API, with a person's token."""

import pytest

from tenantadmin.models import AuditEvent
from tests.tenantadmin.api.apihelpers import Api, assert_graph_error, token_for, user_token

pytestmark = pytest.mark.django_db

ME = "/v1.0/me"
CHANGE = "/v1.0/me/changePassword"
NEW_PASSWORD = "Tulip#Field77"


@pytest.fixture
def person(org_a):
    user = org_a.user
    user.first_name, user.last_name, user.job_title, user.office_phone = "Pat", "Plain", "Analyst", "+1 555 0100"
    user.alternate_email, user.language, user.country_name, user.usage_location = "pat@example.net", "de", "USA", "US"
    user.save()
    return user


@pytest.fixture
def me(client, person):
    return Api(client, user_token(client, person))


def test_get_me_in_graph_shape(me, person):
    response = me.get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["@odata.context"].endswith("/v1.0/$metadata#users/$entity")
    assert body["id"] == str(person.pk)
    assert body["userPrincipalName"] == person.upn
    assert body["displayName"] == person.display_name
    assert (body["givenName"], body["surname"], body["jobTitle"]) == ("Pat", "Plain", "Analyst")
    assert body["businessPhones"] == ["+1 555 0100"]
    assert body["mobilePhone"] is None and body["department"] is None  # empty is null, as in Graph
    assert body["mail"] is None
    assert body["otherMails"] == ["pat@example.net"]
    assert body["preferredLanguage"] == "de"
    assert (body["country"], body["usageLocation"], body["accountEnabled"]) == ("USA", "US", True)


def test_select_returns_only_the_chosen_properties(me, person):
    body = me.get(ME, {"$select": "displayName,otherMails"}).json()
    assert body["@odata.context"].endswith("#users(displayName,otherMails)/$entity")
    assert set(body) == {"@odata.context", "id", "displayName", "otherMails"}


def test_select_of_an_unknown_property_is_400(me):
    assert_graph_error(me.get(ME, {"$select": "passwordProfile"}), 400, "BadRequest")


def test_app_token_on_me_is_400_with_graphs_message(client, org_a):
    api = Api(client, token_for(client, org_a.tenant, ["User.ReadWrite.All"]))
    for response in (api.get(ME), api.patch(ME, {"displayName": "X"}),
                     api.post(CHANGE, {"currentPassword": "a", "newPassword": "b"})):
        error = assert_graph_error(response, 400, "BadRequest")
        assert error["message"] == "/me request is only valid with delegated authentication flow."


def test_patch_me_changes_the_profile_and_audits_it(me, person):
    response = me.patch(ME, {"displayName": "Pat P.", "mobilePhone": "+1 555 0199", "businessPhones": ["+1 555 0111"],
                             "preferredLanguage": "nl-NL", "otherMails": ["pat.new@example.org"]})
    assert response.status_code == 204, response.content
    person.refresh_from_db()
    assert person.display_name == "Pat P." and person.mobile_phone == "+1 555 0199"
    assert person.office_phone == "+1 555 0111" and person.language == "nl"
    assert person.alternate_email == "pat.new@example.org"
    events = AuditEvent.objects.filter(tenant=person.tenant, action="user.profile_update", target_id=str(person.pk))
    changed = {name for event in events for name in event.changes}
    assert changed == {"display_name", "mobile_phone", "office_phone", "language", "alternate_email"}
    assert all(event.actor_id == person.pk for event in events)
    assert me.get(ME).json()["preferredLanguage"] == "nl"


def test_patch_me_with_null_and_empty_lists_clears(me, person):
    assert me.patch(ME, {"businessPhones": [], "preferredLanguage": None, "otherMails": []}).status_code == 204
    person.refresh_from_db()
    assert (person.office_phone, person.language, person.alternate_email) == ("", "", "")


@pytest.mark.parametrize("body, property_name", [
    ({"displayName": ""}, "displayName"),
    ({"preferredLanguage": "fr"}, "preferredLanguage"),
    ({"otherMails": ["not an address"]}, "otherMails"),
    ({"mobilePhone": "1" * 65}, "mobilePhone"),
    ({"businessPhones": ["1", "2"]}, "businessPhones"),
    ({"otherMails": ["a@example.net", "b@example.net"]}, "otherMails"),
    ({"jobTitle": "Boss"}, "jobTitle"),
    # The display name is valid and written first: the bad address must undo it.
    ({"displayName": "Renamed", "otherMails": ["not an address"]}, "otherMails"),
])
def test_bad_value_is_400_naming_it_and_nothing_changes(me, person, body, property_name):
    before = (person.display_name, person.mobile_phone, person.language, person.alternate_email)
    error = assert_graph_error(me.patch(ME, {"mobilePhone": "+1 555 0123", **body}), 400, "BadRequest")
    assert property_name in error["message"]
    person.refresh_from_db()
    assert (person.display_name, person.mobile_phone, person.language, person.alternate_email) == before


def test_administrator_must_keep_an_alternate_address(client, org_a):
    api = Api(client, user_token(client, org_a.user_admin))
    error = assert_graph_error(api.patch(ME, {"otherMails": []}), 400, "BadRequest")
    assert "otherMails" in error["message"]
    org_a.user_admin.refresh_from_db()
    assert org_a.user_admin.alternate_email


def test_change_password_then_the_old_token_stops_working(client, me, person, password):
    response = me.post(CHANGE, {"currentPassword": password, "newPassword": NEW_PASSWORD})
    assert response.status_code == 204, response.content
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD) and not person.must_change_password
    assert AuditEvent.objects.filter(tenant=person.tenant, action="user.password_change",
                                     target_id=str(person.pk), actor=person).exists()
    error = assert_graph_error(me.get(ME), 401, "InvalidAuthenticationToken")
    assert "password" in error["message"]
    assert Api(client, user_token(client, person, NEW_PASSWORD)).get(ME).status_code == 200


def test_wrong_current_password_is_400_and_nothing_changes(me, person, password):
    error = assert_graph_error(me.post(CHANGE, {"currentPassword": "Wrong#Pass1", "newPassword": NEW_PASSWORD}),
                               400, "Request_BadRequest")
    assert "current password" in error["message"]
    person.refresh_from_db()
    assert person.check_password(password)
    assert me.get(ME).status_code == 200


def test_policy_violations_are_400_with_each_rule_and_nothing_changes(me, person, password):
    error = assert_graph_error(me.post(CHANGE, {"currentPassword": password, "newPassword": "plain plain"}),
                               400, "Request_BadRequest")
    assert error["message"].startswith("The specified password does not comply with password complexity requirements.")
    for rule in ("Include an upper-case letter.", "Include a digit or a symbol.", "Do not use spaces"):
        assert rule in error["message"]
    person.refresh_from_db()
    assert person.check_password(password)


def test_change_password_needs_both_properties(me):
    error = assert_graph_error(me.post(CHANGE, {"newPassword": NEW_PASSWORD}), 400, "BadRequest")
    assert "currentPassword" in error["message"]


def test_another_organizations_person_sees_only_themselves(client, org_a, org_b):
    body = Api(client, user_token(client, org_b.user)).get(ME).json()
    assert body["id"] == str(org_b.user.pk) and body["id"] != str(org_a.user.pk)


def test_me_without_a_token_is_401(client, db):
    assert_graph_error(client.get(ME), 401, "InvalidAuthenticationToken")

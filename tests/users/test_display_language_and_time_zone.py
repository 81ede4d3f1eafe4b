"""A member's display language and time zone apply to every page they open, at no query cost;
visitors who are not signed in keep the browser's language."""

from datetime import datetime, timezone as dt_timezone

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from users.models import User

pytestmark = pytest.mark.django_db

PROFILE = reverse("users:profile")


def set_preferences(user, **values):
    User.objects.filter(pk=user.pk).update(**values)


@pytest.mark.parametrize("language", ["de", "nl", "en"])
def test_a_member_sees_the_portal_in_their_display_language(language, org_a, client_for):
    set_preferences(org_a.user, language=language)
    # The browser asks for another language: the person's own choice wins.
    response = client_for(org_a.user).get(PROFILE, HTTP_ACCEPT_LANGUAGE="fr, en;q=0.1" if language != "en" else "de")

    assert response.context["LANGUAGE_CODE"] == language
    assert response.wsgi_request.LANGUAGE_CODE == language
    assert response["Content-Language"] == language
    assert f'<html lang="{language}">' in response.content.decode()


def test_without_a_display_language_the_browser_decides(org_a, client_for):
    response = client_for(org_a.user).get(PROFILE, HTTP_ACCEPT_LANGUAGE="nl-NL,nl;q=0.9")
    assert response.context["LANGUAGE_CODE"] == "nl"
    assert response["Content-Language"] == "nl"


def test_visitors_who_are_not_signed_in_keep_the_browser_language(client):
    response = client.get(reverse("users:signin"), HTTP_ACCEPT_LANGUAGE="de")
    assert response.context["LANGUAGE_CODE"] == "de"
    assert "Accept-Language" in response["Vary"]


def test_pages_vary_on_the_session_and_the_browser_language(org_a, client_for):
    set_preferences(org_a.user, language="de")
    response = client_for(org_a.user).get(PROFILE)
    vary = {part.strip() for part in response["Vary"].split(",")}
    assert {"Cookie", "Accept-Language"} <= vary


def test_the_language_does_not_leak_into_the_next_request(org_a, client_for, client):
    set_preferences(org_a.user, language="de", time_zone="Asia/Tokyo")
    client_for(org_a.user).get(PROFILE)
    assert translation.get_language() != "de"
    assert timezone.get_current_timezone_name() == "UTC"


def test_times_are_shown_in_the_members_time_zone(org_a, client_for):
    set_preferences(org_a.user, time_zone="Asia/Tokyo",
                    created_at=datetime(2024, 1, 15, 12, 0, tzinfo=dt_timezone.utc))
    response = client_for(org_a.user).get(PROFILE)

    assert response.context["TIME_ZONE"] == "Asia/Tokyo"
    assert 'datetime="2024-01-15T21:00:00+09:00"' in response.content.decode()


def test_without_a_time_zone_times_are_in_utc(org_a, client_for):
    set_preferences(org_a.user, created_at=datetime(2024, 1, 15, 12, 0, tzinfo=dt_timezone.utc))
    response = client_for(org_a.user).get(PROFILE)
    assert response.context["TIME_ZONE"] == "UTC"
    assert 'datetime="2024-01-15T12:00:00+00:00"' in response.content.decode()


def test_a_stored_value_that_is_not_offered_falls_back_to_the_defaults(org_a, client_for):
    # Written outside My profile (an import, an old release): the page must still open.
    set_preferences(org_a.user, language="xx", time_zone="../../etc/passwd")
    response = client_for(org_a.user).get(PROFILE, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert (response.context["LANGUAGE_CODE"], response.context["TIME_ZONE"]) == ("en", "UTC")


def test_preferences_cost_no_query(org_a, client_for):
    client = client_for(org_a.user)
    client.get(PROFILE)  # warm the per-process caches

    def count():
        with CaptureQueriesContext(connection) as queries:
            client.get(PROFILE)
        return len(queries)

    without = count()
    set_preferences(org_a.user, language="de", time_zone="Europe/Berlin")
    assert count() == without


def test_saving_the_language_applies_from_the_next_page_and_sets_the_language_cookie(org_a, client_for, settings):
    client = client_for(org_a.user)
    response = client.post(reverse("users:profile_language"), {"language": "nl", "time_zone": "Europe/Amsterdam"})
    # The sign-in page, shown before anyone is signed in, follows the cookie.
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"

    page = client.get(reverse("users:profile_language"))
    assert (page.context["LANGUAGE_CODE"], page.context["TIME_ZONE"]) == ("nl", "Europe/Amsterdam")

    client.post(reverse("users:profile_language"), {"language": "", "time_zone": ""})
    page = client.get(reverse("users:profile_language"), HTTP_ACCEPT_LANGUAGE="de")
    assert (page.context["LANGUAGE_CODE"], page.context["TIME_ZONE"]) == ("de", "UTC")

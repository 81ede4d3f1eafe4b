"""Applies a signed-in person's display language and time zone (chosen in My profile).

Runs after authentication; the user row is loaded anyway, so this costs no query. Visitors who are
not signed in keep LocaleMiddleware's choice (language cookie, then Accept-Language).
"""

from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from users.photos import photo_url
from users.profile_services import display_language_codes


class UserPreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        # A value written outside My profile (API, import) could be stale or wrong: never fail a page on it.
        language = user.language if user.language in display_language_codes() else ""
        zone = _zone(user.time_zone)
        locale_choice = translation.get_language()
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        if zone is not None:
            timezone.activate(zone)
        # base.html shows the header avatar from this; called (and looked up) only when a page renders it.
        request.user_photo_url = partial(photo_url, user)
        try:
            response = self.get_response(request)
        finally:
            if zone is not None:
                timezone.deactivate()
            if language:
                # Hand LocaleMiddleware back its own choice; the header below keeps the one used.
                translation.activate(locale_choice)
        if language:
            response.headers["Content-Language"] = language
        # The same URL renders differently per person: caches must key on the session cookie.
        patch_vary_headers(response, ("Cookie",))
        return response


def _zone(name: str) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None

"""Sends people whose password is temporary or expired to Change password before anything else
(SPEC users/ "Passwords": "First sign-in with a temporary password forces a change before anything else")."""

import re

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

# The API refuses such people itself, with an error a program understands; captcha images and
# static files carry nothing to protect.
_PASSING_PATHS = re.compile(r"^/(?:v1\.0/|[^/]+/oauth2/|captcha/)")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        if self._gated(request):
            return self._to_change_page(request)
        return self.get_response(request)

    def _gated(self, request) -> bool:
        path = request.path_info
        if path.startswith(self.static_prefix) or _PASSING_PATHS.match(path):
            return False
        user = request.user
        # Staff have no organization and no password policy; the user and its tenant are already
        # loaded with the session (select_related in the backend), so this costs no query.
        if not user.is_authenticated or user.tenant_id is None or not user.must_change_password_now():
            return False
        return request.path not in (reverse("users:password_change"), reverse("users:signout"))

    def _to_change_page(self, request):
        url = reverse("users:password_change")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request") == "true":
            # htmx would swap the change page into a fragment; ask it to load the page instead.
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)

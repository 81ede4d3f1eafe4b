"""Applies a signed-in person's display language and time zone (filled in by My profile)."""


class UserPreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

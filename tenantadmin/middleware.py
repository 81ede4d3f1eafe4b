"""Puts the signed-in person's organization on the request as `request.tenant`."""


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # The auth backend loads the user with its tenant (select_related), so this costs no query.
        request.tenant = user.tenant if user is not None and user.is_authenticated else None
        return self.get_response(request)

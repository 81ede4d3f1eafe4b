"""Template context shared by every page: product name, organization and the left pane."""

from django.conf import settings

from tenantadmin.navigation import navigation_for


def portal(request):
    context = {"product_name": settings.PRODUCT_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(request, "tenant", None) is not None:
        context["tenant"] = request.tenant
        context["is_admin"] = user.is_admin
        context["navigation"] = navigation_for(user.admin_perms, request.path) if user.is_admin else []
    return context

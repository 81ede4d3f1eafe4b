"""Template context shared by every page: product name, organization and the left pane."""

from django.conf import settings

from tenantadmin.delegation import is_partner_organization
from tenantadmin.navigation import navigation_for


def portal(request):
    context = {"product_name": settings.PRODUCT_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(request, "tenant", None) is not None:
        context["tenant"] = request.tenant
        context["is_admin"] = user.is_admin
        # The Partner section is the person's own organization's; it is hidden while they manage a customer.
        # The partner profile comes with the signed-in person (users.backends), so this costs no query.
        context["navigation"] = []
        if user.is_admin:
            partner = getattr(request, "partner_tenant", None) is None and is_partner_organization(request.tenant)
            context["navigation"] = navigation_for(user.admin_perms, request.path, partner=partner)
    return context

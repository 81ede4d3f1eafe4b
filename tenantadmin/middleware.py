"""Puts the organization a request works in on the request as `request.tenant`.

Normally that is the signed-in person's own organization. A partner's person who picked a customer on the
partner's Customers page (SPEC billing/ "Partners": delegated administrators) works in the customer instead:
`request.tenant` is the customer, `request.partner_tenant` their own organization, `request.delegation` says
both, and their roles for the request are the delegated ones (tenantadmin.delegation.delegated_role_codes).
"""

from django.contrib import messages
from django.utils.translation import gettext as _

from tenantadmin.delegation import (
    ACTING_SESSION_KEY, Delegation, act_with_roles, delegated_customer, delegated_role_codes, is_partner_organization,
)

# Pages that always work in the person's own organization, also while they manage a customer: their own
# account (My profile keeps its rows in their organization; nobody changes their own password "for" a
# customer) and the partner's own pages, where managing a customer starts and ends. URL names are strings, as
# in tenantadmin.navigation, so core imports no app.
OWN_ORGANIZATION_VIEWS = frozenset({
    "users:profile", "users:profile_details", "users:profile_photo", "users:profile_photo_remove",
    "users:profile_language", "users:profile_contact", "users:profile_alternate_email", "users:password_change",
    "users:signout",
    "partners:customers", "partners:manage", "partners:return", "partners:invitations",
    "partners:invitation_resend", "partners:invitation_revoke",
})
# The API's bearer token names the organization (tenantadmin.api.auth); a browser session never does.
API_NAMESPACE = "tenantadmin-api"


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # The auth backend loads the user with its tenant (select_related), so this costs no query.
        request.tenant = user.tenant if user is not None and user.is_authenticated else None
        request.partner_tenant = None
        request.delegation = None
        # The session is already loaded (it named the user), so reading it is free; only a session that holds
        # a customer costs the one query that proves the relationship is still active.
        if request.tenant is not None and ACTING_SESSION_KEY in request.session:
            request.delegation = self._delegation(request, user)
        return self.get_response(request)

    def _delegation(self, request, user) -> Delegation | None:
        """The customer the person manages, checked on every request: a customer that removed the partner (or a
        person who lost the roles that act for customers) is back in their own organization at once."""
        remembered = request.session[ACTING_SESSION_KEY]
        partner = user.tenant
        customer_id = remembered.get("id") if isinstance(remembered, dict) else None
        role_codes = delegated_role_codes(user.role_codes)
        customer = None
        if role_codes and customer_id and is_partner_organization(partner):
            customer = delegated_customer(partner=partner, customer_id=customer_id)
        if customer is None:
            del request.session[ACTING_SESSION_KEY]
            name = remembered.get("name") if isinstance(remembered, dict) else ""
            messages.warning(request, _("You no longer have delegated access to %(customer)s, so you are back in "
                                        "%(partner)s.") % {"customer": name or _("that organization"),
                                                           "partner": partner.name})
            return None
        return Delegation(customer=customer, partner=partner, role_codes=role_codes)

    def process_view(self, request, view_func, view_args, view_kwargs):
        delegation = request.delegation
        if delegation is None or _runs_in_own_organization(request, view_kwargs):
            return None
        request.tenant = delegation.customer
        request.partner_tenant = delegation.partner
        act_with_roles(request.user, delegation.role_codes)
        return None


def _runs_in_own_organization(request, view_kwargs) -> bool:
    match = request.resolver_match
    if match is None or match.namespace == API_NAMESPACE:
        return True
    if match.view_name == "users:photo":
        # The header shows the person's own photo; the customer's people's photos are the customer's.
        return str(view_kwargs.get("user_id")) == str(request.user.pk)
    return match.view_name in OWN_ORGANIZATION_VIEWS

"""Who may change an organization's billing: the one check behind the portal's billing pages, the API's billing
writes and the billing services.

SPEC billing/ "Partners": an organization that bought through a partner cannot change billing itself; it
contacts the partner. The partner's own people, acting as delegated administrators, still can; so can the
operator (staff site) and the lifecycle workers. Reading (subscriptions, invoices, history) is never locked.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from billing.models import PartnerProfile
from billing.selectors import billing_partner, billing_partner_ids
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent

# Actors the lock never stops: support on the staff site and the periodic workers (renewals, expiry).
OPERATORS = (AuditEvent.ActorType.SYSTEM, AuditEvent.ActorType.STAFF)


def partner_contact_message(partner: PartnerProfile) -> str:
    """"Your organization buys through <partner>. Contact them: <e-mail> <phone> <website>" in the active language."""
    contact = " ".join(value for value in (partner.support_email, partner.support_phone, partner.support_url) if value)
    if contact:
        return _("Your organization buys through %(partner)s. Contact them: %(contact)s") % {
            "partner": partner.tenant.name, "contact": contact}
    return _("Your organization buys through %(partner)s. Contact them about any change to your subscriptions or "
             "billing.") % {"partner": partner.tenant.name}


class BillingLocked(PermissionDenied):
    """A billing change refused because the organization buys through `partner`."""

    def __init__(self, partner: PartnerProfile):
        self.partner = partner
        super().__init__(partner_contact_message(partner))


def acting_partner_id(actor: Actor | None):
    """The partner organization a delegated administrator acts for, or None for anyone else."""
    if actor is None or actor.kind != AuditEvent.ActorType.PARTNER:
        return None
    return actor.partner.pk  # Actor.for_partner always names the partner


def billing_lock(*, tenant, actor: Actor | None) -> PartnerProfile | None:
    """The partner to contact when `actor` may not change `tenant`'s billing, or None when the change may go ahead
    (no partner sold to the organization, a partner that sold to it is acting, or the operator or a worker acts)."""
    if actor is not None and actor.kind in OPERATORS:
        return None
    partner = billing_partner(tenant=tenant)  # cached with the banner: no query on a warm page
    acting_id = acting_partner_id(actor)
    if partner is None or (acting_id is not None and acting_id in billing_partner_ids(tenant=tenant)):
        return None
    return partner


def billing_lock_for_request(request) -> PartnerProfile | None:
    """`billing_lock` for the person behind a portal request (a partner's person managing the customer included)."""
    return billing_lock(tenant=request.tenant, actor=Actor.from_request(request))


def ensure_billing_writable(*, tenant, actor: Actor | None) -> None:
    """Raise BillingLocked (a PermissionDenied) when `actor` may not change `tenant`'s billing."""
    partner = billing_lock(tenant=tenant, actor=actor)
    if partner is not None:
        raise BillingLocked(partner)


def api_lock_message(partner: PartnerProfile) -> str:
    """The Graph error message naming the partner (API messages are English, like Graph's own)."""
    with translation.override("en"):
        return partner_contact_message(partner)


def selling_partner(actor: Actor | None) -> PartnerProfile | None:
    """The enrolled partner a delegated administrator acts for (its orders are sales through that partner)."""
    partner_id = acting_partner_id(actor)
    if partner_id is None:
        return None
    return PartnerProfile.objects.select_related("tenant").filter(tenant_id=partner_id).first()


def billing_change(view):
    """Decorator for portal pages that change billing (put it under `require_perm`): while the organization buys
    through a partner, its own admins get a page saying whom to contact instead of the form, and a POST is refused
    with 403 before anything is read or written."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        partner = billing_lock_for_request(request)
        if partner is None:
            return view(request, *args, **kwargs)
        status = 200 if request.method in ("GET", "HEAD") else 403
        return render(request, "billing/bought_through_partner.html", {"partner": partner}, status=status)

    return wrapper

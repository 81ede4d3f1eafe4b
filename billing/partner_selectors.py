"""Reads for delegated administration (SPEC billing/ "Partners"). Every read takes `tenant`: the partner for
its customers and invitations, the customer for its delegated administrators. Lists are querysets for keyset
paging (one query per page, whatever the number of rows) or bounded."""

from django.db.models import Q

from billing.models import DelegatedAdminInvitation, DelegatedAdminRelationship, PartnerProfile, Subscription

# A customer has a handful of partners; the page shows them all up to this bound.
DELEGATED_ADMINS_MAX = 200
# Keyset order of the partner's lists: newest first.
NEWEST_FIRST = [("created_at", True)]


def partner_profile(*, tenant) -> PartnerProfile | None:
    """The organization's partner enrolment, or None. Free for the signed-in person's organization (loaded with
    them); one query otherwise."""
    try:
        return tenant.partner_profile
    except PartnerProfile.DoesNotExist:
        return None


def partner_customers(*, tenant, search: str = ""):
    """The partner's active customers (relationships, with the customer organization), newest first; `search`
    matches the customer's name or initial domain."""
    rows = (DelegatedAdminRelationship.objects.filter(partner=tenant, status=DelegatedAdminRelationship.Status.ACTIVE)
            .select_related("tenant"))
    search = (search or "").strip()
    if search:
        rows = rows.filter(Q(tenant__name__icontains=search) | Q(tenant__initial_domain__icontains=search.lower()))
    return rows


def partner_customer(*, tenant, customer_id) -> DelegatedAdminRelationship | None:
    """The partner's active relationship with one customer, or None."""
    return (DelegatedAdminRelationship.objects.filter(partner=tenant, tenant_id=customer_id,
                                                      status=DelegatedAdminRelationship.Status.ACTIVE)
            .select_related("tenant").first())


def partner_invitations(*, tenant, status: str = ""):
    """The partner's invitations, newest first, optionally of one status."""
    rows = DelegatedAdminInvitation.objects.filter(tenant=tenant).select_related("customer")
    if status in DelegatedAdminInvitation.Status.values:
        rows = rows.filter(status=status)
    return rows


def delegated_admins(*, tenant, include_removed: bool = False):
    """The customer's delegated administrators (partners) with their partner profiles, newest first."""
    rows = (DelegatedAdminRelationship.objects.filter(tenant=tenant)
            .select_related("partner", "partner__partner_profile"))
    if not include_removed:
        rows = rows.filter(status=DelegatedAdminRelationship.Status.ACTIVE)
    return rows.order_by("-created_at", "-pk")


def delegated_admin_list(*, tenant) -> list[DelegatedAdminRelationship]:
    """The customer's active delegated administrators, bounded (one query)."""
    return list(delegated_admins(tenant=tenant)[:DELEGATED_ADMINS_MAX])


def resellers(*, tenant) -> list[PartnerProfile]:
    """The partners the organization bought subscriptions through, with their support contacts (SPEC support/
    "Support overview": if bought through a partner, the partner's contact). One query."""
    sold = Subscription.objects.filter(tenant=tenant, reseller__isnull=False).values("reseller_id")
    return list(PartnerProfile.objects.filter(tenant_id__in=sold).select_related("tenant").order_by("tenant__name"))

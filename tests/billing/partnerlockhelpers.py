"""Helpers for the bought-through-a-partner tests: an enrolled partner organization and its people acting for a
customer (as the partners' delegated-administrator middleware builds them)."""

from billing.models import DelegatedAdminRelationship, PartnerProfile
from django.utils import timezone

from tenantadmin.actors import Actor
from tests.factories import make_tenant

PARTNER_ID = "4455667"


def enrolled_partner(label: str = "fabrikam", *, email="billing@fabrikam.example", phone="+1 425 555 0100",
                     url="https://fabrikam.example/support"):
    """(partner tenant, its global admin) with a PartnerProfile."""
    tenant, admin = make_tenant(label, name=f"{label.title()} Partners")
    PartnerProfile.objects.create(tenant=tenant, partner_id=PARTNER_ID if label == "fabrikam" else "7788990",
                                  support_email=email, support_phone=phone, support_url=url)
    return tenant, admin


def partner_actor(person, customer) -> Actor:
    """A partner's person acting for `customer` (AuditEvent.ActorType.PARTNER; the person's own organization is the
    partner), built the way the partners' code builds it for a request."""
    return Actor.for_partner(person, partner=person.tenant, customer=customer)


def delegate(customer, partner) -> DelegatedAdminRelationship:
    """The customer accepted the partner as delegated administrator."""
    return DelegatedAdminRelationship.objects.create(tenant=customer, partner=partner, created_at=timezone.now(),
                                                     accepted_by_label="tests")

"""Helpers for the partner tests: enrol a partner, send invitations and make relationships through the services."""

import itertools

from billing.models import PartnerProfile
from billing.partner_services import invitation_accept, invitation_send
from tenantadmin.actors import Actor
from tests.factories import make_tenant, make_user

_ids = itertools.count(4001)


def enrol(tenant, *, partner_id: str | None = None, **contact) -> PartnerProfile:
    """Make `tenant` a partner, as the operator does on the staff site."""
    existing = PartnerProfile.objects.filter(tenant=tenant).first()
    if existing is not None:
        return existing
    return PartnerProfile.objects.create(tenant=tenant, partner_id=partner_id or str(next(_ids)), **contact)


def token_of(link: str) -> str:
    """The secret of an invitation link (its last path segment)."""
    return link.rstrip("/").rsplit("/", 1)[-1]


def invite(partner_tenant, email: str = "it@customer.example", *, actor=None, message: str = ""):
    """An invitation of an enrolled partner; returns (invitation, secret)."""
    enrol(partner_tenant)
    invitation, link = invitation_send(tenant=partner_tenant, actor=actor or Actor.system("tests"), email=email,
                                       message=message)
    return invitation, token_of(link)


def relate(customer_tenant, partner_tenant, *, accepted_by=None):
    """Make `partner_tenant` a delegated administrator of `customer_tenant` (invitation accepted by a global admin
    of the customer); returns the relationship."""
    _invitation, secret = invite(partner_tenant)
    admin = accepted_by or customer_tenant.users.filter(role_assignments__role="global_admin").order_by("created_at").first()
    relationship, _created = invitation_accept(token=secret, actor=Actor.for_user(admin))
    return relationship


def partner_org(label: str = "fabrikampartner", *, name: str = "Fabrikam Partners"):
    """An enrolled partner organization with a global admin, a password admin, a user management admin and a
    billing admin; returns a dict of them."""
    tenant, global_admin = make_tenant(label, name=name)
    enrol(tenant)
    return {
        "tenant": tenant, "global_admin": global_admin,
        "password_admin": make_user(tenant, "helpdesk", roles=["password_admin"]),
        "user_admin": make_user(tenant, "usermgmt", roles=["user_admin"]),
        "billing_admin": make_user(tenant, "billing", roles=["billing_admin"]),
        "user": make_user(tenant, "plainpartner"),
    }


def partner_api_makers(org) -> dict:
    """For the API isolation walk: organization A's delegated administrator (a partner of A), A's customer (A is
    a partner too) and an invitation A sent."""
    other, _admin = make_tenant(name="Isolation Partner")
    enrol(other)
    invitation, _secret = invite(org.tenant)
    return {"relationship_id": str(relate(org.tenant, other, accepted_by=org.global_admin).pk),
            "customer_id": str(relate(other, org.tenant).tenant_id),
            "invitation_id": str(invitation.pk)}

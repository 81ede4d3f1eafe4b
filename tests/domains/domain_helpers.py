"""Shared helpers for the domains tests (and the route walkers): domains in a given state."""

from django.utils import timezone

from domains.models import Domain
from domains.services import domain_add
from domains.zones import domain_host_zone, record_save
from tenantadmin.actors import Actor

ACTOR = Actor.system("tests")


def verified_domain(tenant, name: str) -> Domain:
    """A domain as if its verification record had been found (verification itself is tested over DNS)."""
    domain = domain_add(tenant=tenant, actor=ACTOR, name=name)
    Domain.objects.filter(pk=domain.pk).update(verified_at=timezone.now(), status=Domain.Status.VERIFIED,
                                               next_check_at=None)
    domain.refresh_from_db()
    return domain


def hosted_domain(tenant, name: str):
    """(domain, custom A record): verified, name servers switched, one record of the admin's."""
    domain = domain_host_zone(domain=verified_domain(tenant, name), actor=ACTOR)
    record = record_save(domain=domain, actor=ACTOR, data={"type": "A", "name": "intranet", "value": "192.0.2.10",
                                                           "ttl": 3600})
    return domain, record

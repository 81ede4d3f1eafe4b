"""Writes for domains. The full add/verify/host flow arrives with the domains issue."""

from django.db import transaction
from django.utils import timezone

from domains.models import Domain
from tenantadmin.actors import Actor
from tenantadmin.services.audit import audit_record


@transaction.atomic
def domain_create_initial(*, tenant, actor: Actor) -> Domain:
    """The organization's initial domain: verified from birth, never removable."""
    domain = Domain.objects.create(
        tenant=tenant, name=tenant.initial_domain, status=Domain.Status.ACTIVE, is_initial=True,
        verified_at=timezone.now(),
    )
    audit_record(tenant=tenant, actor=actor, action="domain.create", target=domain,
                 changes={"name": [None, domain.name], "status": [None, domain.status]})
    return domain

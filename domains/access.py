"""Getting a domain for a request: another organization's domain is a 404, a read-only role a 403 on writes."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from domains.models import DnsRecord, Domain
from tenantadmin.access import has_perm, tenant_object_or_404
from tenantadmin.roles import Perm


def get_domain(request, domain_id: str, write: bool = False) -> Domain:
    """A domain of the viewer's organization by name (Graph's id), in any letter case."""
    domain = tenant_object_or_404(Domain.objects.select_related("tenant"), request.tenant,
                                  name=(domain_id or "").lower().rstrip("."))
    if write and not has_perm(request, Perm.DOMAINS_WRITE):
        raise PermissionDenied(_("Your role does not allow this."))
    return domain


def get_record(request, domain: Domain, record_id) -> DnsRecord:
    return tenant_object_or_404(DnsRecord.objects.all(), request.tenant, domain=domain, pk=record_id)

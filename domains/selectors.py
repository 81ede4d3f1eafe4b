"""Reads for domains; always scoped by tenant."""

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.db.models.lookups import EndsWith

from domains.models import DnsRecord, Domain


def domain_list(*, tenant):
    return Domain.objects.filter(tenant=tenant).order_by("-is_initial", "name")


def with_is_root(domains: QuerySet) -> QuerySet:
    """`is_root` on each domain, as Graph's isRoot: False when another domain of the same organization is a parent
    of its name ("sales.contoso.com" beside "contoso.com"), whatever either's status; True otherwise.

    A correlated NOT EXISTS inside the same SELECT: a page of domains costs no extra query. It reads only the
    organization's rows of the (tenant, name) unique index."""
    parents = Domain.objects.filter(tenant_id=OuterRef("tenant_id")).filter(
        EndsWith(OuterRef("name"), Concat(Value("."), F("name"))))
    return domains.annotate(is_root=~Exists(parents))


def verified_domain_names(*, tenant) -> list[str]:
    return list(Domain.objects.filter(tenant=tenant, verified_at__isnull=False)
                .order_by("-is_initial", "name").values_list("name", flat=True))


def domain_records(*, tenant, domain):
    return DnsRecord.objects.filter(tenant=tenant, domain=domain).order_by("-is_system", "name", "type", "priority", "id")


def domain_usage(*, tenant, domain, limit: int = 50) -> dict:
    """What still uses a domain (SPEC "Remove a domain"): user names, e-mail/proxy addresses, the website.

    Through reverse relations from the tenant: domains does not import users (DESIGN)."""
    suffix = "@" + domain.name
    users = tenant.users.filter(deleted_at__isnull=True)
    by_name = users.filter(upn__iendswith=suffix)
    by_address = users.filter(proxy_addresses__address__iendswith=suffix, proxy_addresses__is_live=True)
    in_use = users.filter(Q(upn__iendswith=suffix) | Q(pk__in=by_address.values("pk"))).distinct()
    return {
        "user_count": by_name.count(),
        "address_count": by_address.distinct().count(),
        "people": list(in_use.order_by("upn").values("pk", "upn", "display_name")[:limit]),
        "website": bool(domain.website),
        "in_use": in_use.exists() or bool(domain.website),
    }

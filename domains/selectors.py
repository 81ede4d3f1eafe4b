"""Reads for domains; always scoped by tenant."""

from domains.models import Domain


def domain_list(*, tenant):
    return Domain.objects.filter(tenant=tenant).order_by("-is_initial", "name")


def verified_domain_names(*, tenant) -> list[str]:
    return list(Domain.objects.filter(tenant=tenant, verified_at__isnull=False)
                .order_by("-is_initial", "name").values_list("name", flat=True))

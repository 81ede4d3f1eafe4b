"""The cached license-conflict figures of an organization, shared by the users area (which computes them)
and billing (whose subscription changes make them stale). In core so neither app imports the other."""

from django.core.cache import cache
from django.db import transaction

# Short: a change that forgets to drop the figures shows within a minute anyway.
LICENSE_FIGURES_SECONDS = 60


def license_figures_key(tenant_id) -> str:
    return f"licenses:conflicts:{tenant_id}"


def forget_license_figures(tenant_id) -> None:
    """Drop the cached figures now and after the commit (a page rendered meanwhile may have re-cached them)."""
    cache.delete(license_figures_key(tenant_id))
    transaction.on_commit(lambda: cache.delete(license_figures_key(tenant_id)))

"""Background verification of pending domains (SPEC domains/ "Verification").

The beat task `poll_pending_domains` picks the domains whose next check is due, interleaves them by
organization (a tenant with thousands of pending domains cannot starve one with a single domain),
leases them (so the next beat does not dispatch them twice) and fans them out in chunks spread over
one poll interval. Each chunk does its DNS lookups concurrently in threads — they only wait on the
network — and writes the outcomes from one thread, on one database connection.
"""

import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from itertools import zip_longest

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from domains.dns.verification import VerificationCheck, check_verification
from domains.models import Domain
from domains.services import DomainTaken, miss_fields, record_check
from tenantadmin.actors import Actor

logger = logging.getLogger(__name__)

CHUNK = 250
LOOKUP_THREADS = 64
MAX_PER_RUN = 50_000


def _pending():
    return Domain.objects.filter(status=Domain.Status.UNVERIFIED, verified_at__isnull=True, given_up_at__isnull=True)


def due_domain_ids(*, now, limit: int = MAX_PER_RUN) -> list[str]:
    """Ids of due domains, earliest first within each organization, organizations taking turns."""
    rows = _pending().filter(next_check_at__lte=now).order_by("next_check_at").values_list("pk", "tenant_id")[:limit]
    by_tenant: dict = defaultdict(list)
    for pk, tenant_id in rows:
        by_tenant[tenant_id].append(pk)
    return [pk for turn in zip_longest(*by_tenant.values()) for pk in turn if pk is not None]


def poll_dispatch(*, now=None, send) -> int:
    """Lease the due domains and hand them to `send(ids, countdown)` in chunks spread over one interval."""
    now = now or timezone.now()
    ids = due_domain_ids(now=now)
    if not ids:
        return 0
    interval = settings.DNS_POLL_INTERVAL_SECONDS
    chunks = [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]
    lease_until = now + timedelta(seconds=2 * interval)
    for number, chunk in enumerate(chunks):
        # The lease is the claim: a chunk whose worker dies is picked up again after it expires.
        _pending().filter(pk__in=chunk, next_check_at__lte=now).update(next_check_at=lease_until)
        send([str(pk) for pk in chunk], int(interval * number / len(chunks)))
    return len(ids)


def _safe_check(domain: Domain) -> VerificationCheck:
    try:
        return check_verification(domain)
    except Exception:  # one broken answer must not cost the rest of the chunk its checks
        logger.exception("verification lookup failed for %s", domain.name)
        return VerificationCheck(False, "The DNS lookup failed unexpectedly.", transient=True)


def check_domains(domain_ids, *, now=None, threads: int = LOOKUP_THREADS) -> dict:
    """Check each still-pending domain once; returns counts by outcome."""
    domains = list(_pending().filter(pk__in=domain_ids).select_related("tenant"))
    counts = {"checked": 0, "verified": 0, "taken": 0}
    if not domains:
        return counts
    with ThreadPoolExecutor(max_workers=max(1, min(threads, len(domains)))) as pool:
        checks = list(pool.map(_safe_check, domains))
    actor = Actor.system("DNS verification")
    # One transaction for the chunk's writes: a commit per domain (a disk flush each) would cost more
    # than the lookups. Each claim runs in its own savepoint, so a name taken elsewhere spoils nothing.
    with transaction.atomic():
        _write_outcomes(domains, checks, actor=actor, now=now, counts=counts)
    return counts


def _write_outcomes(domains, checks, *, actor, now, counts) -> None:
    missed = defaultdict(list)
    for domain, check in zip(domains, checks):
        when = now or timezone.now()
        counts["checked"] += 1
        if not check.found:
            fields = miss_fields(domain, check, now=when)
            # Domains with the same outcome and back-off step share one UPDATE.
            missed[(fields["last_result"], min(fields["check_attempts"], 5), "given_up_at" in fields)].append(
                (domain.pk, fields))
            continue
        try:
            record_check(domain, check, actor=actor, now=when)
        except DomainTaken as exc:
            counts["taken"] += 1
            record_check(domain, VerificationCheck(False, str(exc)), actor=actor, now=when)
            continue
        counts["verified"] += 1
    for group in missed.values():
        fields = dict(group[0][1])
        fields["check_attempts"] = F("check_attempts") + 1
        # verified_at__isnull: a domain the admin verified meanwhile keeps its state.
        Domain.objects.filter(pk__in=[pk for pk, _fields in group], verified_at__isnull=True).update(**fields)

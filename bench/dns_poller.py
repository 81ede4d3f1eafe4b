"""Benchmark: one worker process checks N pending domains against a local DNS server.

Creates N unverified domains spread over several organizations (all due now), starts the in-process
loopback DNS server of the tests (one in --verified-every domains, default a tenth, has its TXT record published, the others
answer NODATA), then runs what the beat task and one worker do: dispatch the due domains in chunks
and check each chunk with concurrent lookups. Prints domains/second and the total time (SPEC target:
10,000 in under a minute).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tenantadmin_bench \\
        .venv/bin/python bench/dns_poller.py --domains 10000

It creates the organizations "dnsbench*" in the given database and deletes their domains before
each run; never point it at a production database.
"""

import argparse
import multiprocessing
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenantadmin.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from domains import polling  # noqa: E402
from domains.dns.verification import txt_value  # noqa: E402
from domains.models import Domain  # noqa: E402
from tenantadmin.models import Tenant  # noqa: E402
from tests.dns_server import DnsServer  # noqa: E402

TENANTS = 20


def ensure_tenants() -> list[Tenant]:
    from billing.catalog import ensure_default_plans
    from billing.models import Sku
    from users.signup import tenant_sign_up

    ensure_default_plans(Sku)
    tenants = []
    for n in range(TENANTS):
        tenant = Tenant.objects.filter(initial_domain__startswith=f"dnsbench{n}.").first()
        if tenant is None:
            tenant, _admin = tenant_sign_up(
                organization_name=f"DNS bench {n}", country="US", preferred_language="en", first_name="Bench",
                last_name="Admin", alternate_email=f"dnsbench{n}@example.net", initial_label=f"dnsbench{n}",
                alias="admin", password="Bench#Mark2026", plan=Sku.objects.get(part_number="ENTERPRISEPACK"),
                mail_welcome=False)
        tenants.append(tenant)
    return tenants


def serve(records, pipe):
    server = DnsServer().start()
    for name, rtype, value in records:
        server.add(name, rtype, value)
    pipe.send(server.port)
    pipe.recv()
    pipe.send(server.queries)
    server.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--domains", type=int, default=10_000)
    parser.add_argument("--verified-every", type=int, default=10,
                        help="one domain in this many has its record published (is verified in this run)")
    parser.add_argument("--threads", type=int, default=polling.LOOKUP_THREADS)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    tenants = ensure_tenants()
    Domain.objects.filter(tenant__in=tenants, is_initial=False).delete()
    past = timezone.now() - timedelta(minutes=1)
    rows = [Domain(tenant=tenants[n % TENANTS], name=f"bench{n}.com", next_check_at=past, polling_since=past)
            for n in range(args.domains)]
    Domain.objects.bulk_create(rows, batch_size=2000)
    records = [(d.name, "TXT", txt_value(d)) if n % args.verified_every == 0 else (d.name, "A", "192.0.2.1") for n, d in enumerate(rows)]
    # The DNS server runs in its own process, as a real one would: in this process it would compete
    # with the worker for the interpreter lock and the figure would measure the test server.
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe()
    server = context.Process(target=serve, args=(records, child), daemon=True)
    server.start()
    port = parent.recv()
    settings.DNS_NAMESERVERS = [("127.0.0.1", port)]
    chunks = []
    started = time.perf_counter()
    due = polling.poll_dispatch(send=lambda ids, countdown: chunks.append(ids))
    counts = {"checked": 0, "verified": 0, "taken": 0}
    for ids in chunks:  # one worker takes the chunks one after the other
        for key, value in polling.check_domains(ids, threads=args.threads).items():
            counts[key] += value
    elapsed = time.perf_counter() - started
    parent.send("stop")
    queries = parent.recv()
    server.join(5)
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; lookup threads: {args.threads}")
    print(f"dispatched {due} due domains in {len(chunks)} chunks; checked {counts['checked']}, "
          f"verified {counts['verified']}, DNS queries {queries}")
    print(f"total {elapsed:.1f} s: {counts['checked'] / elapsed:.0f} domains/second")


if __name__ == "__main__":
    main()

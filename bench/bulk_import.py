"""Benchmark: bulk import of users from a CSV file, verification and import, at 100,000 rows.

Writes a CSV file of --rows users (UTF-8, the 15 columns), then runs the wizard's two jobs in-process
(the services and the Celery tasks, eagerly) against the configured database, and prints rows/second
and peak memory of each phase (tracemalloc: Python allocations; ru_maxrss: the whole process). Also
measures the password hasher alone, since that is most of an import's time with Argon2.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tenantadmin_bench \\
        .venv/bin/python bench/bulk_import.py --rows 100000

Each run creates a new organization "benchimport<time>" with a subscription of --rows licenses (and
assigns them, unless --no-licenses); never point it at a production database. --hasher md5 swaps the
hasher for one run to measure the database side alone.
"""

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenantadmin.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files import File  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from billing.models import Sku, Subscription  # noqa: E402
from tenantadmin.actors import Actor  # noqa: E402
from tenantadmin.celery import app as celery_app  # noqa: E402
from tenantadmin.models import Job  # noqa: E402
from users.bulk_import import work  # noqa: E402
from users.bulk_import.columns import HEADER  # noqa: E402
from users.bulk_import.services import import_start, import_upload  # noqa: E402
from users.models import LicenseAssignment, User  # noqa: E402
from users.passwords import generate_temporary_password  # noqa: E402

FIRST = ["Ada", "Bram", "Chloé", "Dirk", "Eva", "Femke", "Geoff", "Hanna", "Ivo", "Jasmijn", "Karel", "Lotte"]
LAST = ["Jansen", "de Vries", "Müller", "Bakker", "Visser", "Smit", "Meyer", "Schulz", "Peters", "Dekker"]


def make_tenant(rows: int, licenses: bool):
    from users.signup import tenant_sign_up

    label = f"benchimport{int(time.time())}"
    tenant, admin = tenant_sign_up(
        organization_name="Bench Import", country="US", preferred_language="en", first_name="Bench",
        last_name="Admin", alternate_email="bench@example.net", initial_label=label, alias="admin",
        password="Bench#Mark2026", plan=None, mail_welcome=False)
    sku = Sku.objects.get(part_number="ENTERPRISEPACK")
    if licenses:
        Subscription.objects.create(tenant=tenant, sku=sku, quantity=rows, term_started_at=timezone.now())
    return tenant, admin, ([sku] if licenses else [])


def write_file(path: Path, rows: int, domain: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            first, last = FIRST[n % len(FIRST)], LAST[n // len(FIRST) % len(LAST)]
            writer.writerow([f"user{n:06d}@{domain}", first, last, f"{first} {last} {n}", "Engineer", "R&D",
                             f"B{n % 500}", "+31 30 123 4567", "+31 6 1234 5678", "", f"Main street {n}\nFloor 2",
                             "Utrecht", "Utrecht", "3511 AB", "Netherlands"])


def measure(label: str, rows: int, run, use_tracemalloc: bool):
    if use_tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    result = run()
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if use_tracemalloc else None
    if use_tracemalloc:
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_text = f"{peak / 2**20:7.1f} MiB traced peak, " if peak is not None else ""
    print(f"{label:<28} {elapsed:8.1f} s  {rows / elapsed:9.0f} rows/s  {peak_text}{rss:7.1f} MiB max RSS")
    return result


def hasher_rate(sample: int) -> None:
    """Hashes per second of the temporary-password hasher and of the full configured one."""
    from concurrent.futures import ThreadPoolExecutor

    from django.contrib.auth.hashers import get_hasher, make_password

    passwords = [generate_temporary_password() for _ in range(sample)]
    for label, hasher in (("import hasher (light)", work.temporary_password_hasher()),
                          ("configured hasher (full)", get_hasher("default"))):
        count = sample if "light" in label else max(2, sample // 50)
        started = time.perf_counter()
        with ThreadPoolExecutor(work.HASH_THREADS) as pool:
            list(pool.map(lambda p: make_password(p, hasher=hasher), passwords[:count]))
        rate = count / (time.perf_counter() - started)
        print(f"{label:<28} {hasher.algorithm:>8}: {rate:8.1f} hashes/s with {work.HASH_THREADS} threads "
              f"(100,000 users: {100_000 / rate / 60:6.1f} min)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--hasher", choices=["configured", "md5"], default="configured")
    parser.add_argument("--no-licenses", action="store_true")
    parser.add_argument("--no-tracemalloc", action="store_true", help="tracemalloc slows Python code down")
    parser.add_argument("--hash-sample", type=int, default=200)
    options = parser.parse_args()
    if options.hasher == "md5":
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PRIVATE_FILES_ROOT = Path(tempfile.mkdtemp(prefix="bench-import-"))
    celery_app.conf.task_always_eager = True  # the jobs run in this process, after their commit
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    print(f"database: {connection.vendor}, rows: {options.rows}, hasher: {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}")
    hasher_rate(options.hash_sample)

    tenant, admin, skus = make_tenant(options.rows, not options.no_licenses)
    actor = Actor.for_user(admin)
    path = settings.PRIVATE_FILES_ROOT / "bench.csv"
    write_file(path, options.rows, tenant.initial_domain)
    print(f"file: {path.stat().st_size / 2**20:.1f} MiB")

    def verify():
        with path.open("rb") as handle:
            return import_upload(tenant=tenant, actor=actor, upload=File(handle, name="bench.csv"))

    tracing = not options.no_tracemalloc
    verify_job = measure("verification job", options.rows, verify, tracing)
    verify_job.refresh_from_db()
    assert verify_job.status == Job.Status.SUCCEEDED, (verify_job.status, verify_job.message)

    def run_import():
        return import_start(verify_job=verify_job, actor=actor, sign_in_allowed=True, usage_location="NL",
                            skus=skus, notify=[])

    import_job = measure("import job", options.rows, run_import, tracing)
    import_job.refresh_from_db()
    created = User.objects.filter(tenant=tenant).count() - 1
    licensed = LicenseAssignment.objects.filter(tenant=tenant).count()
    print(f"import job: {import_job.get_status_display()}, {created} users created, {licensed} licenses assigned, "
          f"{import_job.failed} failed")


if __name__ == "__main__":
    main()

"""Benchmark: the audit log page and the directoryAudits API at a large event count.

Prints p50/p95 server time (Django test client, in-process, no network) for the first page, a
deep page reached through the keyset cursor, a filtered page and the API collection; plus the
number of SQL queries of each, which must not depend on the event count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tenantadmin_bench \\
        .venv/bin/python bench/audit_log_paging.py --events 1000000

It creates (once) and reuses the organization "benchorg" in the given database; never point it
at a production database.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenantadmin.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_COOKIES", "false")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from tenantadmin.models import AuditEvent, Tenant  # noqa: E402

ACTIONS = ["user.create", "user.update", "user.delete", "role.assign", "domain.create", "organization.update",
           "service_settings.update", "app_secret.create"]


def ensure_tenant():
    from billing.models import Sku
    from users.signup import tenant_sign_up

    tenant = Tenant.objects.filter(initial_domain__startswith="benchorg.").first()
    if tenant is None:
        tenant, _admin = tenant_sign_up(
            organization_name="Bench Org", country="US", preferred_language="en", first_name="Bench",
            last_name="Admin", alternate_email="bench@example.net", initial_label="benchorg", alias="admin",
            password="Bench#Mark2026", plan=Sku.objects.get(part_number="ENTERPRISEPACK"), mail_welcome=False)
    return tenant


def fill(tenant, target: int) -> None:
    have = AuditEvent.objects.filter(tenant=tenant).count()
    start = timezone.now() - timedelta(days=365)
    batch = []
    for n in range(have, target):
        batch.append(AuditEvent(
            tenant=tenant, occurred_at=start + timedelta(seconds=n * 30), actor_type="user",
            actor_label=f"user{n % 500}@benchorg.example", action=ACTIONS[n % len(ACTIONS)], target_type="user",
            target_id=str(n), target_label=f"Person {n}", changes={"department": ["Sales", "Marketing"]}))
        if len(batch) == 5000:
            AuditEvent.objects.bulk_create(batch)
            batch.clear()
    AuditEvent.objects.bulk_create(batch)
    # Fresh statistics, as autovacuum would have gathered them in a live system.
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {AuditEvent._meta.db_table}")


def count_queries(fetch) -> int:
    # Django clears its query log at each request start, so count at the cursor instead.
    seen = []

    def counter(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        fetch()
    return len(seen)


def measure(label: str, fetch, runs: int) -> None:
    times = []
    queries = count_queries(fetch)
    for _ in range(runs):
        began = time.perf_counter()
        response = fetch()
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (label, response.status_code)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(f"{label:<44} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   queries {queries}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    setup_test_environment()  # keeps response.context, which the deep-page walk reads
    call_command("migrate", verbosity=0)
    tenant = ensure_tenant()
    fill(tenant, args.events)
    admin = tenant.users.get(upn__startswith="admin@")
    client = Client()
    client.force_login(admin, backend="users.backends.PrincipalNameBackend")
    print(f"database: {connection.vendor}; audit events of the organization: "
          f"{AuditEvent.objects.filter(tenant=tenant).count():,}")

    measure("audit log page 1", lambda: client.get("/admin/audit/"), args.runs)
    cursor = None
    for _ in range(200):  # walk 200 pages (10,000 events) deep through the keyset cursor
        response = client.get("/admin/audit/", {"after": cursor} if cursor else {})
        cursor = response.context["page"].next_cursor
    measure("audit log page 201 (keyset cursor)", lambda: client.get("/admin/audit/", {"after": cursor}), args.runs)
    measure("audit log filtered by action", lambda: client.get("/admin/audit/", {"action": "role.assign"}), args.runs)
    measure("audit log filtered by actor text", lambda: client.get("/admin/audit/", {"actor": "user42@"}), args.runs)

    token = api_token(client, tenant)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    measure("API directoryAudits $top=100", lambda: api.get("/v1.0/auditLogs/directoryAudits", {"$top": "100"}),
            args.runs)
    measure("API directoryAudits filtered by date", lambda: api.get(
        "/v1.0/auditLogs/directoryAudits",
        {"$filter": f"activityDateTime le {(timezone.now() - timedelta(days=200)):%Y-%m-%dT%H:%M:%SZ}"}), args.runs)


def api_token(client, tenant) -> str:
    from tenantadmin.actors import Actor
    from tenantadmin.services.app_registrations import app_registration_create, app_secret_create

    app = app_registration_create(tenant=tenant, actor=Actor.system("benchmark"), display_name="Benchmark",
                                  permissions=["AuditLog.Read.All"])
    _secret, plain = app_secret_create(app=app, actor=Actor.system("benchmark"))
    response = client.post(f"/{tenant.initial_domain}/oauth2/v2.0/token", {
        "grant_type": "client_credentials", "client_id": str(app.client_id), "client_secret": plain,
        "scope": "https://graph.microsoft.com/.default"})
    return response.json()["access_token"]


if __name__ == "__main__":
    main()

"""Benchmark: the Users page and the /v1.0/users API at a large user count.

Prints p50/p95 server time (Django test client, in-process, no network) for the first page, a deep
page reached through the keyset cursor, each sort order, a search and a standard view, the API
collection and an API filter; plus the number of SQL queries of each, which must not depend on the
user count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tenantadmin_bench \\
        .venv/bin/python bench/users_list_paging.py --users 1000000

It creates (once) and reuses the organization "benchusers" in the given database; never point it
at a production database. Users are inserted with bulk_create (one unusable password each): the
benchmark is about reading them.
"""

import argparse
import os
import random
import statistics
import sys
import time
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

from billing.models import Sku  # noqa: E402
from tenantadmin.models import Tenant  # noqa: E402
from users.models import LicenseAssignment, User  # noqa: E402

FIRST = ["Ada", "Bram", "Chloé", "Dirk", "Eva", "Femke", "Geoff", "Hanna", "Ivo", "Jasmijn", "Karel", "Lotte"]
LAST = ["Jansen", "de Vries", "Müller", "Bakker", "Visser", "Smit", "Meyer", "Schulz", "Peters", "Dekker"]
DEPARTMENTS = ["Sales", "Marketing", "Finance", "Engineering", "Support", "Legal"]


def ensure_tenant():
    from users.signup import tenant_sign_up

    tenant = Tenant.objects.filter(initial_domain__startswith="benchusers.").first()
    if tenant is None:
        tenant, _admin = tenant_sign_up(
            organization_name="Bench Users", country="US", preferred_language="en", first_name="Bench",
            last_name="Admin", alternate_email="bench@example.net", initial_label="benchusers", alias="admin",
            password="Bench#Mark2026", plan=Sku.objects.get(part_number="ENTERPRISEPACK"), mail_welcome=False)
    return tenant


def fill(tenant, target: int) -> None:
    have = User.objects.filter(tenant=tenant).count()
    rng = random.Random(have)
    sku = Sku.objects.get(part_number="ENTERPRISEPACK")
    now = timezone.now()
    batch = []
    for n in range(have, target):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        batch.append(User(
            tenant=tenant, upn=f"u{n:07d}@{tenant.initial_domain}", first_name=first, last_name=last,
            display_name=f"{first} {last} {n}", department=rng.choice(DEPARTMENTS), usage_location="NL",
            password="!", is_active=n % 20 != 0, deleted_at=now if n % 500 == 0 else None))
        if len(batch) == 5000:
            _insert(batch, tenant, sku)
            batch = []
    _insert(batch, tenant, sku)
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would have gathered them
        cursor.execute(f"ANALYZE {User._meta.db_table}")
        cursor.execute(f"ANALYZE {LicenseAssignment._meta.db_table}")


def _insert(batch, tenant, sku):
    if not batch:
        return
    created = User.objects.bulk_create(batch)
    # Two users in three hold a license, so the Unlicensed view has something to find.
    LicenseAssignment.objects.bulk_create(
        [LicenseAssignment(tenant=tenant, user=user, sku=sku) for n, user in enumerate(created)
         if n % 3 and user.deleted_at is None])


def count_queries(fetch) -> int:
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


def api_token(client, tenant) -> str:
    from tenantadmin.actors import Actor
    from tenantadmin.services.app_registrations import app_registration_create, app_secret_create

    app = app_registration_create(tenant=tenant, actor=Actor.system("benchmark"), display_name="Benchmark",
                                  permissions=["User.Read.All"])
    _secret, plain = app_secret_create(app=app, actor=Actor.system("benchmark"))
    response = client.post(f"/{tenant.initial_domain}/oauth2/v2.0/token", {
        "grant_type": "client_credentials", "client_id": str(app.client_id), "client_secret": plain,
        "scope": "https://graph.microsoft.com/.default"})
    return response.json()["access_token"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    setup_test_environment()  # keeps response.context, which the deep-page walk reads
    call_command("migrate", verbosity=0)
    tenant = ensure_tenant()
    fill(tenant, args.users)
    admin = tenant.users.get(upn__startswith="admin@")
    client = Client()
    client.force_login(admin, backend="users.backends.PrincipalNameBackend")
    print(f"database: {connection.vendor}; users of the organization: {User.objects.filter(tenant=tenant).count():,}")

    measure("users page 1 (display name)", lambda: client.get("/admin/users/"), args.runs)
    cursor = None
    for _ in range(200):  # walk 200 pages deep through the keyset cursor
        response = client.get("/admin/users/", {"after": cursor} if cursor else {})
        cursor = response.context["page"].next_cursor
    measure("users page 201 (keyset cursor)", lambda: client.get("/admin/users/", {"after": cursor}), args.runs)
    measure("sorted by user name, descending", lambda: client.get("/admin/users/", {"sort": "upn", "desc": "1"}),
            args.runs)
    measure("sorted by creation date", lambda: client.get("/admin/users/", {"sort": "created"}), args.runs)
    # One first name in twelve: the worst case, a prefix shared by 8% of the organization.
    measure("search 'Lotte' (8% match)", lambda: client.get("/admin/users/", {"q": "Lotte"}), args.runs)
    measure("search 'Karel Smit 35' (narrow)", lambda: client.get("/admin/users/", {"q": "Karel Smit 35"}), args.runs)
    measure("search by exact user name", lambda: client.get("/admin/users/", {"q": admin.upn}), args.runs)
    measure("view: sign-in blocked", lambda: client.get("/admin/users/", {"view": "signin_blocked"}), args.runs)
    measure("view: unlicensed", lambda: client.get("/admin/users/", {"view": "unlicensed"}), args.runs)
    measure("view: deleted users", lambda: client.get("/admin/users/", {"view": "deleted"}), args.runs)

    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token(client, tenant)}")
    measure("API users $top=100", lambda: api.get("/v1.0/users", {"$top": "100"}), args.runs)
    measure("API users startswith(displayName)", lambda: api.get(
        "/v1.0/users", {"$filter": "startswith(displayName,'Eva')"}), args.runs)


if __name__ == "__main__":
    main()

"""The last free licenses under concurrency: 20 simultaneous assignLicense requests for the last 5 units of a
plan; exactly 5 succeed and the plan is never over-assigned (users.licenses locks the plan's subscriptions).

Needs PostgreSQL: SQLite lets one writer at a time hold the whole database, so it cannot show the race."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from tests.factories import make_user
from tests.tenantadmin.api.apihelpers import Api, token_for
from tests.users.lifecycle_helpers import plan_with_units
from users.licenses import license_units
from users.models import LicenseAssignment

REQUESTS = 20
FREE = 5


@pytest.mark.django_db(transaction=True)
def test_twenty_requests_for_the_last_five_units(org_a):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): SQLite serialises all writers, so there is no race to test")
    sku = plan_with_units(org_a.tenant, 8)
    for n in range(3):  # three units already taken: five are left
        LicenseAssignment.objects.create(tenant=org_a.tenant, user=make_user(org_a.tenant, f"filler{n}"), sku=sku)
    candidates = [make_user(org_a.tenant, f"racer{n}", usage_location="NL") for n in range(REQUESTS)]
    token = token_for(Client(), org_a.tenant, ["User.ReadWrite.All"])
    start = threading.Barrier(REQUESTS)
    statuses, errors = [], []

    def request(user):
        try:
            api = Api(Client(), token)
            start.wait(timeout=30)
            response = api.post(f"/v1.0/users/{user.pk}/assignLicense",
                                {"addLicenses": [{"skuId": str(sku.pk)}], "removeLicenses": []})
            statuses.append(response.status_code)
            if response.status_code != 200:
                errors.append(response.json()["error"]["message"])
        finally:
            connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=request, args=(user,)) for user in candidates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [200] * FREE + [400] * (REQUESTS - FREE), errors
    assert all("does not have any available licenses" in message for message in errors)
    units = next(u for u in license_units(tenant=org_a.tenant) if u.sku.pk == sku.pk)
    assert units.assigned == units.total == 8
    assert LicenseAssignment.objects.filter(user__in=candidates).count() == FREE

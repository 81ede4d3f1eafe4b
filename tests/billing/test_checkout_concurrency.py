"""A checkout submitted twice at the same moment (two requests racing) places one order (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from billing.models import Order, Subscription
from tests.billing.billinghelpers import buy

pytestmark = [pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
              pytest.mark.django_db(transaction=True)]


def test_racing_submissions_with_one_key_place_one_order(org_a):
    results, barrier = [], threading.Barrier(4)

    def submit():
        try:
            barrier.wait()
            results.append(buy(org_a, "STANDARDPACK", 3, key="racing-key").pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and len(set(results)) == 1
    assert Order.objects.filter(tenant=org_a.tenant).count() == 1
    assert Subscription.objects.filter(tenant=org_a.tenant, sku__part_number="STANDARDPACK").count() == 1

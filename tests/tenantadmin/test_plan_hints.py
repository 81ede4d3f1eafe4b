"""collect_then_sort: the hint holds inside the block only, and the results do not change."""

import pytest
from django.db import connection

from tenantadmin.plan_hints import collect_then_sort
from tests.factories import make_user
from users.selectors import user_list

pytestmark = pytest.mark.django_db

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the hint is PostgreSQL's")


def _index_scans() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_indexscan")
        return cursor.fetchone()[0]


@needs_postgres
def test_index_scans_are_off_inside_and_back_on_after():
    assert _index_scans() == "on"
    with collect_then_sort():
        assert _index_scans() == "off"
    assert _index_scans() == "on"


@needs_postgres
def test_a_failure_inside_rolls_the_setting_back():
    with pytest.raises(ZeroDivisionError):
        with collect_then_sort():
            1 / 0
    assert _index_scans() == "on"


def test_a_search_returns_the_same_rows_in_the_same_order_with_the_hint(org_a):
    for index, name in enumerate(("Lotte Visser", "lotte Bakker", "Lars Lotte", "Lotte Visser")):
        make_user(org_a.tenant, f"hint{index}", display_name=name)
    plain = [u.pk for u in user_list(tenant=org_a.tenant, search="lotte")]
    with collect_then_sort():
        hinted = [u.pk for u in user_list(tenant=org_a.tenant, search="lotte")]
    assert hinted == plain
    assert len(plain) == 3  # "Lars Lotte" does not start with it; the two Lotte Vissers tie on the name

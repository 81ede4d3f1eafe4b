"""Planner hints for the few queries where PostgreSQL's cost model picks a slow plan.

A search sorted by a column ("users whose name starts with L, by display name, first 50") tempts the
planner to walk the sort index and filter, betting that matches are spread evenly through it. Prefix
matches are not spread evenly: they sit together, often far down the index, so the walk reads most of
the organization (4.6 s for 1,000,000 users in bench/users_list_paging.py). With plain index scans off
for that one query, it collects the matches through the prefix indexes (bitmap scans) and sorts only
those (0.2-0.4 s for 83,000 matches, milliseconds for a usual search). SQLite needs no hint.
"""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def collect_then_sort():
    """Run the queries inside with PostgreSQL's plain index scans off (bitmap index scans stay on)."""
    if connection.vendor != "postgresql":
        yield
        return
    # SET LOCAL lasts until the transaction ends, so the hint needs one; a savepoint inside an
    # outer transaction rolls the setting back with it when the block fails.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_indexscan'), set_config('enable_indexscan', 'off', true)")
            before = cursor.fetchone()[0]
        yield
        # Inside an outer transaction the setting would outlive this block: put it back.
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_indexscan', %s, true)", [before])

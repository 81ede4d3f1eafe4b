"""On PostgreSQL, a trigram index so "actor contains …" in the audit log does not read every event.

pg_trgm and btree_gin are trusted extensions (PostgreSQL 13+): the database owner may create them.
The index leads with tenant_id like every other index (ready for distribution by tenant).
SQLite has no such index type; there the filter scans the organization's events.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "CREATE INDEX IF NOT EXISTS audit_tenant_actor_trgm ON tenantadmin_auditevent "
    # Django's icontains on PostgreSQL compares UPPER(column::text), so the index is on that expression.
    "USING gin (tenant_id, (UPPER(actor_label::text)) gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS audit_tenant_actor_trgm"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("tenantadmin", "0003_audit_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]

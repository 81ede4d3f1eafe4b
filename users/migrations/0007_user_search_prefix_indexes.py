"""On PostgreSQL, prefix-search indexes for the Users page search box and the API's startswith filters.

Django's istartswith on PostgreSQL compares UPPER(column::text) LIKE 'TERM%'; a btree on that expression
with text_pattern_ops serves it as a range scan whatever the database collation. Each index leads with
tenant_id like every other index (ready for distribution by tenant). SQLite scans the organization's users.
"""

from django.db import migrations

COLUMNS = {"display": "display_name", "upn": "upn", "alternate": "alternate_email"}
CREATE = [f"CREATE INDEX IF NOT EXISTS user_tenant_{name}_prefix ON users_user "
          f"(tenant_id, (UPPER({column}::text)) text_pattern_ops)" for name, column in COLUMNS.items()]
DROP = [f"DROP INDEX IF EXISTS user_tenant_{name}_prefix" for name in COLUMNS]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("users", "0006_groups_mail_nickname")]
    operations = [migrations.RunPython(forwards, backwards)]

"""The two plans every install starts with (Graph skuIds and part numbers, so scripts match)."""

from django.db import migrations

from billing.catalog import ensure_default_plans


def add_plans(apps, schema_editor):
    ensure_default_plans(apps.get_model("billing", "Sku"))


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_initial")]
    operations = [migrations.RunPython(add_plans, migrations.RunPython.noop)]

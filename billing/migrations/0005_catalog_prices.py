"""Load the catalog file's plans with their prices (new plans and the price columns added in 0004)."""

from django.db import migrations

from billing.catalog import ensure_default_plans


def load_plans(apps, schema_editor):
    ensure_default_plans(apps.get_model("billing", "Sku"))


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_billing_catalog_orders")]
    operations = [migrations.RunPython(load_plans, migrations.RunPython.noop)]

"""Plans apply to users (licenses) or to the organization (storage add-ons), and bring storage; the catalog's
add-ons and storage figures are loaded once the columns exist."""

from decimal import Decimal

from django.db import migrations, models

from billing.catalog import ensure_default_plans


def load_plans(apps, schema_editor):
    ensure_default_plans(apps.get_model("billing", "Sku"))


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0007_partners'),
    ]

    operations = [
        migrations.AddField(
            model_name='sku',
            name='applies_to',
            field=models.CharField(choices=[('user', 'Users (a license per person)'), ('company', 'The organization (an add-on)')], default='user', max_length=10, verbose_name='applies to'),
        ),
        migrations.AddField(
            model_name='sku',
            name='requires_one_of',
            field=models.JSONField(blank=True, default=list, verbose_name='requires one of'),
        ),
        migrations.AddField(
            model_name='sku',
            name='storage_base_gb',
            field=models.PositiveIntegerField(default=0, help_text='Storage the organization gets once while it holds the plan.', verbose_name='organization storage (GB)'),
        ),
        migrations.AddField(
            model_name='sku',
            name='storage_gb_per_license',
            field=models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=8, verbose_name='storage per license (GB)'),
        ),
        migrations.AddField(
            model_name='sku',
            name='storage_gb_per_unit',
            field=models.PositiveIntegerField(default=0, help_text='Add-ons: the extra storage each unit bought adds.', verbose_name='storage per unit (GB)'),
        ),
        migrations.RunPython(load_plans, migrations.RunPython.noop),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('users', '0005_proxy_addresses_groups_custom_views'),
    ]

    operations = [
        migrations.AddField(
            model_name='securitygroup',
            name='mail_nickname',
            field=models.CharField(blank=True, max_length=64, verbose_name='mail nickname'),
        ),
    ]

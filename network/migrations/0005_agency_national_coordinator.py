"""The national coordinator role for victims becomes data on the agency (network/reference.py)."""

from django.db import migrations, models

from network.reference import NATIONAL_COORDINATORS


def flag(apps, schema_editor):
    apps.get_model("network", "Agency").objects.filter(code__in=NATIONAL_COORDINATORS).update(
        is_national_coordinator=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0004_auditeventreview"),
    ]

    operations = [
        migrations.AddField(
            model_name="agency",
            name="is_national_coordinator",
            field=models.BooleanField(
                default=False,
                help_text="Follows every victim referral in the country and may be named its case owner.",
                verbose_name="national coordinator for victims",
            ),
        ),
        migrations.RunPython(flag, migrations.RunPython.noop),
    ]

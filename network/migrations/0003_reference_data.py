"""The network's reference data (agencies, counties, centres): see network/reference.py."""

from django.db import migrations

from network.reference import ensure_reference_data


def forwards(apps, schema_editor):
    ensure_reference_data(
        apps.get_model("network", "Agency"),
        apps.get_model("network", "County"),
        apps.get_model("network", "Centre"),
        apps.get_model("auth", "Group"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0002_auditevent_append_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""Control operations get a reference ("KI-2026-000004"), numbered like inspections and cases.

Existing operations are numbered per year of their start, in the order they were created
(created_at, then id), so the same database always gives the same numbers; each year's
counter is left at the last number used, and new operations continue from there.
"""

from django.db import migrations, models


def number_existing(apps, schema_editor):
    ControlOperation = apps.get_model("inspections", "ControlOperation")
    OperationSequence = apps.get_model("inspections", "OperationSequence")
    last_by_year: dict[int, int] = {}
    for operation in ControlOperation.objects.order_by("period_start__year", "created_at", "id"):
        year = operation.period_start.year
        last_by_year[year] = last_by_year.get(year, 0) + 1
        operation.reference = f"KI-{year}-{last_by_year[year]:06d}"
        operation.save(update_fields=["reference"])
    for year, last in last_by_year.items():
        OperationSequence.objects.update_or_create(year=year, defaults={"last": last})


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0007_merge_daily"),
    ]

    operations = [
        migrations.CreateModel(
            name="OperationSequence",
            fields=[
                ("year", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("last", models.PositiveIntegerField(default=0)),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.AddField(
            model_name="controloperation",
            name="reference",
            field=models.CharField(editable=False, max_length=20, null=True, verbose_name="reference"),
        ),
        migrations.RunPython(number_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="controloperation",
            name="reference",
            field=models.CharField(
                editable=False, max_length=20, unique=True, verbose_name="reference"
            ),
        ),
    ]

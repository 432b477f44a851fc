"""The joint controls' derived rows on network's capability view (docs/access.md,
"django-guardian").

Migration 0011 made its own capability view; cases and reports derive rows too and may not
depend on inspections (the layering of docs/architecture.md holds for migrations), so the
view moved to network (`network_access_capability`, network migration 0010). The views of
0011 are made again with the same SQL on that view, and inspections' own capability view
is dropped. Reversed, 0011's views come back as they were.
"""

import importlib

from django.db import migrations

OLD = importlib.import_module("inspections.migrations.0011_guardian_rows_derived")
OLD_CAPABILITY = "inspections_access_capability"
NEW_CAPABILITY = "network_access_capability"

# 0011's views on network's capability view, in the order they are created.
VIEWS = [
    (name, select.replace(OLD_CAPABILITY, NEW_CAPABILITY))
    for name, select in OLD.VIEWS
    if name != OLD_CAPABILITY
]


def _drop(views):
    return [f"DROP VIEW IF EXISTS {name}" for name, _select in reversed(views)]


def _create(views):
    return [f"CREATE VIEW {name} AS {select}" for name, select in views]


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0011_guardian_rows_derived"),
        ("network", "0010_access_capability_view"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[*_drop(OLD.VIEWS), *_create(VIEWS)],
            reverse_sql=[*_drop(VIEWS), *_create(OLD.VIEWS)],
        ),
    ]

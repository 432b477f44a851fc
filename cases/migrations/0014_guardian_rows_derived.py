"""Guardian's rows of tips, break-the-glass reviews and employers, derived in the database
(docs/access.md, "django-guardian").

Each direct foreign-key user-permission model is an unmanaged model over a view that yields
(user, permission, object) exactly when the policy allows the action (cases/tips/policies.py,
`AccessReviewPolicy` in cases/coordination/policies.py, cases/employers/policies.py), from
the active memberships, their agencies, the role capabilities (network's
`network_access_capability`) and the object's own columns. The SQL is the same on
PostgreSQL and SQLite; a later change of a rule is a new migration that replaces a view.
"""

import importlib

from django.db import migrations, models

NETWORK = importlib.import_module("network.migrations.0010_access_capability_view")
capable, permission, rows = NETWORK.capable, NETWORK.permission, NETWORK.rows


def _members(model, codename, table, condition):
    """One action's rows: every active member (with their agency) and object where
    `condition` holds."""
    return (
        f"SELECT m.user_id AS user_id, {permission('cases', model, codename)} AS permission_id,"
        f" o.id AS content_object_id FROM network_membership m"
        f" JOIN network_agency a ON a.id = m.agency_id CROSS JOIN {table} o"
        f" WHERE m.active AND ({condition})"
    )


# A tip coordinator (`is_tip_coordinator`): the capability to triage, and the coordinating
# agency or a regional centre on the membership. They see and triage every tip; the staff
# of the agency a tip is forwarded to see it, with the capability to read tips.
TIP_COORDINATOR = (
    f"{capable('m.user_id', 'cases', 'triage_tips')}"
    " AND (a.is_coordinator OR m.centre_id IS NOT NULL)"
)
TIP = rows(
    _members(
        "tip",
        "view_tip",
        "cases_tip",
        f"({TIP_COORDINATOR}) OR (o.forwarded_to_id = m.agency_id"
        f" AND {capable('m.user_id', 'cases', 'work_on_tips')})",
    ),
    _members("tip", "triage_tip", "cases_tip", TIP_COORDINATOR),
)

# A review lives with the requester's agency: its auditors see it, and give the verdict
# with the capability to, never on their own access.
_REVIEWER = (
    f"o.agency_id = m.agency_id AND {capable('m.user_id', 'cases', 'work_on_access_reviews')}"
)
ACCESS_REVIEW = rows(
    _members("accessreview", "view_accessreview", "cases_accessreview", _REVIEWER),
    _members(
        "accessreview",
        "change_accessreview",
        "cases_accessreview",
        f"{_REVIEWER} AND {capable('m.user_id', 'cases', 'edit_access_reviews')}"
        " AND o.user_id <> m.user_id",
    ),
)

# Registry data: every member with the capability reads every employer.
EMPLOYER = rows(
    _members(
        "employer",
        "view_employer",
        "cases_employer",
        capable("m.user_id", "cases", "work_on_employers"),
    ),
)

VIEWS = [
    ("cases_access_tip", TIP),
    ("cases_access_accessreview", ACCESS_REVIEW),
    ("cases_access_employer", EMPLOYER),
]


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0013_grant_indexes_cover_part_of'),
        ('network', '0010_access_capability_view'),
    ]

    operations = [
        migrations.CreateModel(
            name='AccessReviewUserObjectPermission',
            fields=[
                ('id', models.CharField(editable=False, max_length=64, primary_key=True, serialize=False)),
            ],
            options={
                'db_table': 'cases_access_accessreview',
                'abstract': False,
                'managed': False,
                'default_permissions': (),
            },
        ),
        migrations.CreateModel(
            name='EmployerUserObjectPermission',
            fields=[
                ('id', models.CharField(editable=False, max_length=64, primary_key=True, serialize=False)),
            ],
            options={
                'db_table': 'cases_access_employer',
                'abstract': False,
                'managed': False,
                'default_permissions': (),
            },
        ),
        migrations.CreateModel(
            name='TipUserObjectPermission',
            fields=[
                ('id', models.CharField(editable=False, max_length=64, primary_key=True, serialize=False)),
            ],
            options={
                'db_table': 'cases_access_tip',
                'abstract': False,
                'managed': False,
                'default_permissions': (),
            },
        ),
        migrations.RunSQL(
            sql=[f"CREATE VIEW {name} AS {select}" for name, select in VIEWS],
            reverse_sql=[f"DROP VIEW IF EXISTS {name}" for name, _select in reversed(VIEWS)],
        ),
    ]

"""Guardian's rows of report builds and annual reports, derived in the database
(docs/access.md, "django-guardian").

Each direct foreign-key user-permission model is an unmanaged model over a view that yields
(user, permission, object) exactly when reports/policies.py allows the action: from the
active memberships, their agencies (the coordinating agency's flag, the agency's code as a
build's scope), the role capabilities (network's `network_access_capability`) and the
build's scope. The SQL is the same on PostgreSQL and SQLite; a later change of a rule is a
new migration that replaces a view.
"""

import importlib

from django.db import migrations, models

NETWORK = importlib.import_module("network.migrations.0010_access_capability_view")
capable, permission, rows = NETWORK.capable, NETWORK.permission, NETWORK.rows


def _members(model, codename, table, condition):
    """One action's rows: every active member (with their agency) and object where
    `condition` holds."""
    return (
        f"SELECT m.user_id AS user_id, {permission('reports', model, codename)}"
        " AS permission_id, o.id AS content_object_id FROM network_membership m"
        f" JOIN network_agency a ON a.id = m.agency_id CROSS JOIN {table} o"
        f" WHERE m.active AND ({condition})"
    )


# `report_scopes`: the network's scope for the coordinating agency with the capability to
# build the network's report; the agency's own code with the capability to request builds.
_NETWORK_SCOPE = f"a.is_coordinator AND {capable('m.user_id', 'reports', 'build_network_report')}"
_OWN_SCOPE = capable("m.user_id", "reports", "add_reportbuild")

REPORT_BUILD = rows(
    _members(
        "reportbuild",
        "view_reportbuild",
        "reports_reportbuild",
        f"(o.scope = 'network' AND {_NETWORK_SCOPE}) OR (o.scope = a.code AND {_OWN_SCOPE})",
    ),
)

# The annual report: those whose scopes hold the network's (an agency coded "network"
# requesting its own builds would hold it too, as `report_scopes` says); change also needs
# the capability to edit it.
_SEES_NETWORK = f"({_NETWORK_SCOPE}) OR (a.code = 'network' AND {_OWN_SCOPE})"
ANNUAL_REPORT = rows(
    _members("annualreport", "view_annualreport", "reports_annualreport", _SEES_NETWORK),
    _members(
        "annualreport",
        "change_annualreport",
        "reports_annualreport",
        f"({_SEES_NETWORK}) AND {capable('m.user_id', 'reports', 'edit_annual_reports')}",
    ),
)

VIEWS = [
    ("reports_access_reportbuild", REPORT_BUILD),
    ("reports_access_annualreport", ANNUAL_REPORT),
]


class Migration(migrations.Migration):

    dependencies = [
        ('network', '0010_access_capability_view'),
        ('reports', '0004_role_capabilities_apart_from_object_permissions'),
    ]

    operations = [
        migrations.CreateModel(
            name='AnnualReportUserObjectPermission',
            fields=[
                ('id', models.CharField(editable=False, max_length=64, primary_key=True, serialize=False)),
            ],
            options={
                'db_table': 'reports_access_annualreport',
                'abstract': False,
                'managed': False,
                'default_permissions': (),
            },
        ),
        migrations.CreateModel(
            name='ReportBuildUserObjectPermission',
            fields=[
                ('id', models.CharField(editable=False, max_length=64, primary_key=True, serialize=False)),
            ],
            options={
                'db_table': 'reports_access_reportbuild',
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

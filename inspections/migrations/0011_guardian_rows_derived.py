"""Guardian's rows of the joint controls, derived in the database (docs/access.md,
"django-guardian").

Each direct foreign-key user-permission model of Inspection, ControlOperation,
AgencyAssignment, Finding, Decision and FollowUp is an unmanaged model over a view that
yields (user, permission, object) exactly when inspections/policies.py allows the action:
from the active memberships, the role capabilities (the users' and their groups' permissions,
all of them for an active superuser, as Django's ModelBackend), coordination, assignments
(declined ones give nothing), operations and disclosures. The SQL is the same on PostgreSQL
and SQLite. No ROW_NUMBER or CTE: PostgreSQL inlines these views and pushes guardian's
`user_id = X` into every branch (docs/access.md). The SQL is written out here, so a later
change of the rule is a new migration that replaces the views.
"""

from django.db import migrations, models


def permission(model, codename):
    """The id of an object permission of the joint controls (NULL until it exists)."""
    return (
        "(SELECT p.id FROM auth_permission p"
        " JOIN django_content_type ct ON ct.id = p.content_type_id"
        f" WHERE ct.app_label = 'inspections' AND ct.model = '{model}'"
        f" AND p.codename = '{codename}')"
    )


def capable(user, codename, app_label="inspections"):
    """The user holds the capability (as `user.has_perm("app_label.codename")`)."""
    return (
        "EXISTS (SELECT 1 FROM inspections_access_capability c"
        f" WHERE c.user_id = {user} AND c.app_label = '{app_label}'"
        f" AND c.codename = '{codename}')"
    )


def rows(*branches):
    """The view's rows: one SELECT per action, each yielding a (user, object) once, so
    the row written out is its key. No ROW_NUMBER: it would stop PostgreSQL pushing
    guardian's `user_id = X` into the branches."""
    union = "\nUNION ALL\n".join(branches)
    return (
        "SELECT CAST(derived.user_id AS TEXT) || ':' || CAST(derived.permission_id AS TEXT)"
        " || ':' || CAST(derived.content_object_id AS TEXT) AS id,"
        " derived.user_id AS user_id, derived.permission_id AS permission_id,"
        f" derived.content_object_id AS content_object_id FROM ({union}) derived"
    )


CAPABILITY = """
SELECT u.id AS user_id, ct.app_label AS app_label, p.codename AS codename
FROM network_user u
JOIN network_user_user_permissions up ON up.user_id = u.id
JOIN auth_permission p ON p.id = up.permission_id
JOIN django_content_type ct ON ct.id = p.content_type_id
WHERE u.is_active
UNION ALL
SELECT u.id, ct.app_label, p.codename
FROM network_user u
JOIN network_user_groups ug ON ug.user_id = u.id
JOIN auth_group_permissions gp ON gp.group_id = ug.group_id
JOIN auth_permission p ON p.id = gp.permission_id
JOIN django_content_type ct ON ct.id = p.content_type_id
WHERE u.is_active
UNION ALL
SELECT u.id, ct.app_label, p.codename
FROM network_user u
CROSS JOIN auth_permission p
JOIN django_content_type ct ON ct.id = p.content_type_id
WHERE u.is_active AND u.is_superuser
"""

# Every active member and every inspection, with the member's agency's relation to it.
RELATION = f"""
SELECT m.user_id AS user_id, m.agency_id AS agency_id, i.id AS inspection_id,
  (i.coordinating_agency_id = m.agency_id
   AND {capable("m.user_id", "coordinate_inspection")}) AS coordinates,
  EXISTS (SELECT 1 FROM inspections_agencyassignment a
          WHERE a.inspection_id = i.id AND a.agency_id = m.agency_id
          AND a.status <> 'declined') AS assigned,
  EXISTS (SELECT 1 FROM inspections_agencyassignment a
          WHERE a.inspection_id = i.id AND a.agency_id = m.agency_id
          AND a.status = 'accepted') AS accepted,
  EXISTS (SELECT 1 FROM inspections_agencyassignment a
          WHERE a.inspection_id = i.id AND a.agency_id = m.agency_id
          AND a.status = 'accepted' AND a.mode = 'on_site') AS on_site
FROM network_membership m
CROSS JOIN inspections_inspection i
WHERE m.active
"""

# The inspections a member sees: coordinator of the coordinating agency, or assigned.
VISIBLE = """
SELECT r.user_id AS user_id, r.agency_id AS agency_id, r.inspection_id AS inspection_id
FROM inspections_access_relation r
WHERE r.coordinates OR r.assigned
"""

# The findings a member sees: of a visible inspection, open, the agency's own or disclosed.
VISIBLE_FINDING = """
SELECT v.user_id AS user_id, v.agency_id AS agency_id, f.id AS finding_id
FROM inspections_access_visible v
JOIN inspections_finding f ON f.inspection_id = v.inspection_id
WHERE NOT f.secret OR f.agency_id = v.agency_id
   OR EXISTS (SELECT 1 FROM inspections_findingdisclosure d
              WHERE d.finding_id = f.id AND d.agency_id = v.agency_id)
"""


def _inspection(codename, condition):
    return (
        f"SELECT r.user_id AS user_id, {permission('inspection', codename)} AS permission_id,"
        f" r.inspection_id AS content_object_id FROM inspections_access_relation r"
        f" WHERE {condition}"
    )


INSPECTION = rows(
    _inspection("view_inspection", "r.coordinates OR r.assigned"),
    _inspection("change_inspection", "r.coordinates"),
    _inspection(
        "perform_inspection",
        f"r.coordinates OR (r.on_site AND {capable('r.user_id', 'perform_inspections')})",
    ),
    _inspection("add_result_inspection", f"r.accepted AND {capable('r.user_id', 'add_finding')}"),
    _inspection(
        "add_followup_inspection",
        f"(r.coordinates OR r.assigned) AND {capable('r.user_id', 'add_followup')}",
    ),
    _inspection("add_attachment_inspection", "r.coordinates OR r.accepted"),
)


def _operation(codename, condition):
    return (
        f"SELECT m.user_id AS user_id, {permission('controloperation', codename)}"
        " AS permission_id, o.id AS content_object_id"
        " FROM network_membership m CROSS JOIN inspections_controloperation o"
        f" WHERE m.active AND ({condition})"
    )


OPERATION = rows(
    _operation(
        "view_controloperation",
        f"(o.coordinating_agency_id = m.agency_id AND {capable('m.user_id', 'coordinate_inspection')})"
        " OR EXISTS (SELECT 1 FROM inspections_access_visible v"
        " JOIN inspections_inspection i ON i.id = v.inspection_id"
        " WHERE v.user_id = m.user_id AND i.operation_id = o.id)",
    ),
    _operation(
        "change_controloperation",
        f"o.coordinating_agency_id = m.agency_id"
        f" AND {capable('m.user_id', 'edit_control_operations')}",
    ),
    _operation(
        "add_inspection_controloperation",
        f"o.coordinating_agency_id = m.agency_id"
        f" AND {capable('m.user_id', 'edit_control_operations')}"
        f" AND {capable('m.user_id', 'add_inspection')}",
    ),
)


def _assignment(codename, condition):
    return (
        f"SELECT v.user_id AS user_id, {permission('agencyassignment', codename)}"
        " AS permission_id, a.id AS content_object_id FROM inspections_access_visible v"
        " JOIN inspections_agencyassignment a ON a.inspection_id = v.inspection_id"
        f" WHERE {condition}"
    )


ASSIGNMENT = rows(
    _assignment("view_agencyassignment", "1 = 1"),
    _assignment(
        "respond_agencyassignment",
        f"a.agency_id = v.agency_id AND {capable('v.user_id', 'respond_to_assignments')}",
    ),
)


def _finding(codename, condition):
    return (
        f"SELECT fv.user_id AS user_id, {permission('finding', codename)} AS permission_id,"
        " f.id AS content_object_id FROM inspections_access_visible_finding fv"
        " JOIN inspections_finding f ON f.id = fv.finding_id"
        f" WHERE {condition}"
    )


FINDING = rows(
    _finding("view_finding", "1 = 1"),
    _finding("change_finding", "f.agency_id = fv.agency_id"),
    _finding("disclose_finding", "f.agency_id = fv.agency_id"),
    _finding(
        "add_decision_finding",
        f"f.agency_id = fv.agency_id AND {capable('fv.user_id', 'add_decision')}",
    ),
)


def _decision(codename, condition):
    return (
        f"SELECT fv.user_id AS user_id, {permission('decision', codename)} AS permission_id,"
        " d.id AS content_object_id FROM inspections_access_visible_finding fv"
        " JOIN inspections_decision d ON d.finding_id = fv.finding_id"
        f" WHERE {condition}"
    )


DECISION = rows(
    _decision("view_decision", "1 = 1"),
    _decision(
        "change_decision",
        f"d.agency_id = fv.agency_id AND {capable('fv.user_id', 'edit_decisions')}",
    ),
)

# A follow-up tied to a finding follows that finding too.
_FOLLOW_UP_SEEN = (
    "(fu.finding_id IS NULL OR EXISTS (SELECT 1 FROM inspections_access_visible_finding fv"
    " WHERE fv.user_id = v.user_id AND fv.finding_id = fu.finding_id))"
)


def _follow_up(codename, condition):
    return (
        f"SELECT v.user_id AS user_id, {permission('followup', codename)} AS permission_id,"
        " fu.id AS content_object_id FROM inspections_access_visible v"
        " JOIN inspections_followup fu ON fu.inspection_id = v.inspection_id"
        f" WHERE {condition}"
    )


FOLLOW_UP = rows(
    _follow_up("view_followup", _FOLLOW_UP_SEEN),
    _follow_up("change_followup", f"{_FOLLOW_UP_SEEN} AND fu.agency_id = v.agency_id"),
)

# In the order they are created; dropped in reverse.
VIEWS = [
    ("inspections_access_capability", CAPABILITY),
    ("inspections_access_relation", RELATION),
    ("inspections_access_visible", VISIBLE),
    ("inspections_access_visible_finding", VISIBLE_FINDING),
    ("inspections_access_inspection", INSPECTION),
    ("inspections_access_controloperation", OPERATION),
    ("inspections_access_agencyassignment", ASSIGNMENT),
    ("inspections_access_finding", FINDING),
    ("inspections_access_decision", DECISION),
    ("inspections_access_followup", FOLLOW_UP),
]


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('inspections', '0010_role_capabilities_apart_from_object_permissions'),
        ('network', '0009_merge_policy'),
    ]

    operations = [
        migrations.CreateModel(
            name='AgencyAssignmentUserObjectPermission',
            fields=[
                ('id', models.CharField(editable=False, max_length=64, primary_key=True, serialize=False)),
            ],
            options={
                'db_table': 'inspections_access_agencyassignment',
                'abstract': False,
                'managed': False,
                'default_permissions': (),
            },
        ),
        migrations.CreateModel(
            name='ControlOperationUserObjectPermission',
            fields=[
                ('id', models.CharField(editable=False, max_length=64, primary_key=True, serialize=False)),
            ],
            options={
                'db_table': 'inspections_access_controloperation',
                'abstract': False,
                'managed': False,
                'default_permissions': (),
            },
        ),
        migrations.CreateModel(
            name='DecisionUserObjectPermission',
            fields=[
                ('id', models.CharField(editable=False, max_length=64, primary_key=True, serialize=False)),
            ],
            options={
                'db_table': 'inspections_access_decision',
                'abstract': False,
                'managed': False,
                'default_permissions': (),
            },
        ),
        migrations.CreateModel(
            name='FindingUserObjectPermission',
            fields=[
                ('id', models.CharField(editable=False, max_length=64, primary_key=True, serialize=False)),
            ],
            options={
                'db_table': 'inspections_access_finding',
                'abstract': False,
                'managed': False,
                'default_permissions': (),
            },
        ),
        migrations.CreateModel(
            name='FollowUpUserObjectPermission',
            fields=[
                ('id', models.CharField(editable=False, max_length=64, primary_key=True, serialize=False)),
            ],
            options={
                'db_table': 'inspections_access_followup',
                'abstract': False,
                'managed': False,
                'default_permissions': (),
            },
        ),
        migrations.CreateModel(
            name='InspectionUserObjectPermission',
            fields=[
                ('id', models.CharField(editable=False, max_length=64, primary_key=True, serialize=False)),
            ],
            options={
                'db_table': 'inspections_access_inspection',
                'abstract': False,
                'managed': False,
                'default_permissions': (),
            },
        ),
        migrations.AlterModelOptions(
            name='controloperation',
            options={'ordering': ['-period_start', '-id'], 'permissions': [('work_on_control_operations', 'Can see control operations'), ('edit_control_operations', 'Can plan and move control operations'), ('add_inspection_controloperation', 'Can plan inspections into this operation')], 'verbose_name': 'control operation', 'verbose_name_plural': 'control operations'},
        ),
        migrations.AlterModelOptions(
            name='finding',
            options={'ordering': ['inspection_id', 'id'], 'permissions': [('work_on_findings', 'Can see findings'), ('disclose_finding', 'Can disclose this finding'), ('add_decision_finding', 'Can record decisions on this finding')], 'verbose_name': 'finding', 'verbose_name_plural': 'findings'},
        ),
        migrations.AlterModelOptions(
            name='inspection',
            options={'ordering': ['-planned_date', '-id'], 'permissions': [('coordinate_inspection', 'Can plan inspections and assign agencies'), ('perform_inspection', 'Can record this inspection as performed'), ('work_on_inspections', 'Can work with inspections'), ('edit_inspections', 'Can edit inspections'), ('perform_inspections', 'Can record an inspection as performed'), ('add_result_inspection', 'Can record results of this inspection'), ('add_followup_inspection', 'Can add follow-ups to this inspection'), ('add_attachment_inspection', 'Can attach files to this inspection')], 'verbose_name': 'inspection', 'verbose_name_plural': 'inspections'},
        ),
        migrations.RunSQL(
            sql=[f"CREATE VIEW {name} AS {select}" for name, select in VIEWS],
            reverse_sql=[f"DROP VIEW IF EXISTS {name}" for name, _select in reversed(VIEWS)],
        ),
    ]

"""The capability view of guardian's derived rows (docs/access.md, "django-guardian").

`network_access_capability` yields (user, app label, codename) for every capability a user
holds, as `user.has_perm("app_label.codename")` answers without an object: the user's own
permissions and their groups', every permission for an active superuser, none for an
inactive user (Django's ModelBackend). The views of guardian's derived rows in inspections,
cases and reports ask it (`capable`), and build their rows with `permission` and `rows`
below; the later migrations import these helpers from here, so their SQL is the SQL of
their time (this migration does not change once applied). The SQL is the same on
PostgreSQL and SQLite.
"""

from django.db import migrations

CAPABILITY_VIEW = "network_access_capability"


def permission(app_label, model, codename):
    """The id of an object permission (NULL until it exists)."""
    return (
        "(SELECT p.id FROM auth_permission p"
        " JOIN django_content_type ct ON ct.id = p.content_type_id"
        f" WHERE ct.app_label = '{app_label}' AND ct.model = '{model}'"
        f" AND p.codename = '{codename}')"
    )


def capable(user, app_label, codename):
    """The user holds the capability (as `user.has_perm("app_label.codename")`)."""
    return (
        f"EXISTS (SELECT 1 FROM {CAPABILITY_VIEW} c"
        f" WHERE c.user_id = {user} AND c.app_label = '{app_label}'"
        f" AND c.codename = '{codename}')"
    )


def rows(*branches):
    """A derived view's rows: one SELECT per action, each yielding a (user, object) once,
    so the row written out is its key. No ROW_NUMBER or CTE: either would stop PostgreSQL
    pushing guardian's `user_id = X` into the branches."""
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


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("network", "0009_merge_policy"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE VIEW {CAPABILITY_VIEW} AS {CAPABILITY}",
            reverse_sql=f"DROP VIEW IF EXISTS {CAPABILITY_VIEW}",
        ),
    ]

"""Make PostgreSQL refuse TRUNCATE on the audit trail too.

The row trigger of 0002 refuses UPDATE and DELETE, but TRUNCATE fires no row triggers. A
statement trigger refuses it unless the session has set the GUC `akrim.allow_audit_truncate`
to `on` inside the same transaction (`SET LOCAL`). Only the test suite's flush between
transactional tests does that (tests/conftest.py); nothing in akrim sets it. A table owner
can still set it or drop the trigger: docs/deploy.md, "The audit trail", describes the role
without those rights. SQLite has no TRUNCATE.
"""

from django.db import migrations

TABLE = "network_auditevent"
ALLOW_GUC = "akrim.allow_audit_truncate"
# What a flush that may empty the audit table runs first (the tests' flush only).
ALLOW_TRUNCATE_SQL = f"SET LOCAL {ALLOW_GUC} = 'on'"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION akrim_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('{ALLOW_GUC}', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: TRUNCATE refused on {TABLE}'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {TABLE}_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION akrim_audit_no_truncate();
"""
POSTGRES_DOWN = f"""
DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};
DROP FUNCTION IF EXISTS akrim_audit_no_truncate();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("network", "0005_api_tokens")]
    operations = [migrations.RunPython(forwards, backwards)]

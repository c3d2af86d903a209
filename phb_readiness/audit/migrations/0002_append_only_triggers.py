"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the audit trail and on sign-offs.

TRUNCATE is not blocked: it needs the table owner's privilege, and the test runner empties tables with it.
"""

from django.db import migrations

TABLES = ("audit_auditevent", "checklists_signoff")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION phb_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END
$$;
"""


def create_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION phb_refuse_change()"
        )


def drop_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS phb_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("checklists", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]

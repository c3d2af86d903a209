"""Grant the app's PostgreSQL role what the running service needs, and no more on the append-only tables.

Migrations run as the tables' owner; web and worker run as a role that owns nothing. On the audit trail and the
sign-offs that role may only SELECT and INSERT: not UPDATE, DELETE or TRUNCATE, and, not being the owner, not ALTER
TABLE (so it cannot lift their triggers either). Run it as the owner after every `migrate`; running it again changes
nothing.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

# The append-only tables, named by model: the audit app imports no models of checklists.
APPEND_ONLY_MODELS = ("audit.AuditEvent", "checklists.SignOff")


def append_only_tables() -> list[str]:
    return [apps.get_model(label)._meta.db_table for label in APPEND_ONLY_MODELS]


class Command(BaseCommand):
    help = (
        "PostgreSQL only: grant ROLE SELECT/INSERT/UPDATE/DELETE on every table of the app and use of its sequences, "
        "but only SELECT/INSERT on the audit trail and the sign-offs. Run as the tables' owner; idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="the existing role web and worker connect as")

    def handle(self, *args, role: str, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                f"grant_app_role is for PostgreSQL; this database is {connection.vendor}, which has no roles to grant."
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper, current_user FROM pg_roles WHERE rolname = %s", [role])
            row = cursor.fetchone()
            if row is None:
                raise CommandError(f"There is no role {role!r}: create it first (CREATE ROLE {role} LOGIN PASSWORD …).")
            is_super, me = row
            if is_super:
                raise CommandError(f"{role} is a superuser, which no grant can restrict: use an ordinary role.")
            if role == me:
                raise CommandError(f"{role} is the role running this command, the tables' owner: use another role.")
            tables = connection.introspection.table_names(cursor)
            cursor.execute(
                "SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c "
                "WHERE c.relkind IN ('r', 'p') AND c.relname = ANY(%s) AND pg_table_is_visible(c.oid) "
                "AND pg_has_role(%s, c.relowner, 'MEMBER')",
                [tables, role],
            )
            owned = cursor.fetchall()
            if owned:
                table, owner = owned[0]
                raise CommandError(
                    f"{role} owns {table} (or can act as its owner, {owner}): the app's role must own no table. "
                    "Run migrations as another role that owns them."
                )
            quote = connection.ops.quote_name
            append_only = set(append_only_tables())
            cursor.execute("SELECT current_schema()")
            schema = cursor.fetchone()[0]
            cursor.execute(f"GRANT USAGE ON SCHEMA {quote(schema)} TO {quote(role)}")
            for table in tables:
                if table in append_only:
                    # REVOKE first: a broader grant made by hand before is taken back.
                    cursor.execute(f"REVOKE ALL ON {quote(table)} FROM {quote(role)}")
                    cursor.execute(f"GRANT SELECT, INSERT ON {quote(table)} TO {quote(role)}")
                else:
                    cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {quote(table)} TO {quote(role)}")
            cursor.execute(
                "SELECT c.relname FROM pg_class c WHERE c.relkind = 'S' AND pg_table_is_visible(c.oid) ORDER BY 1"
            )
            sequences = [name for (name,) in cursor.fetchall()]
            for sequence in sequences:
                cursor.execute(f"GRANT USAGE, SELECT ON SEQUENCE {quote(sequence)} TO {quote(role)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{role}: SELECT, INSERT, UPDATE, DELETE on {len(tables) - len(append_only)} tables, SELECT and INSERT "
                f"only on {', '.join(sorted(append_only))}, and use of {len(sequences)} sequences."
            )
        )

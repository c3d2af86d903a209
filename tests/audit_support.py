"""Rewriting audit rows in tests (to age them, or to tamper on purpose) on PostgreSQL, where a trigger refuses it.

    with audit_triggers_off():
        AuditEvent.objects.update(created_at=...)

SET LOCAL lasts until the end of the surrounding transaction: in a `django_db` test that is the test's own
transaction, rolled back afterwards, so nothing stays disabled. On SQLite there is no trigger and this does nothing.
"""

from contextlib import contextmanager

from django.db import connection

from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import GENESIS, _hashed_fields, append_only_lifted, legacy_event_hash


@contextmanager
def audit_triggers_off():
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("audit_triggers_off() needs a transaction (a django_db test, or transaction.atomic())")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")


def audit_trigger_disabled_by_owner():
    """The attack's way past the append-only trigger: as the table's owner, `ALTER TABLE ... DISABLE TRIGGER` (a
    right of ownership, which the app's own role lacks) until the block ends. Nothing on SQLite."""
    return append_only_lifted(AuditEvent._meta.db_table, using="default")


def rechain_with_plain_sha256() -> None:
    """Recompute every link with plain SHA-256, as anyone could without the audit key (the old formula)."""
    prev = GENESIS
    with audit_trigger_disabled_by_owner(), connection.cursor() as cursor:
        for event in AuditEvent.objects.order_by("id"):
            new_hash = legacy_event_hash(prev_hash=prev, fields=_hashed_fields(event))
            cursor.execute(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, new_hash, event.id]
            )
            prev = new_hash

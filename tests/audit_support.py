"""Rewriting audit rows in tests (to age them, or to tamper on purpose) on PostgreSQL, where a trigger refuses it.

    with audit_triggers_off():
        AuditEvent.objects.update(created_at=...)

SET LOCAL lasts until the end of the surrounding transaction: in a `django_db` test that is the test's own
transaction, rolled back afterwards, so nothing stays disabled. On SQLite there is no trigger and this does nothing.
"""

from contextlib import contextmanager

from django.db import connection


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

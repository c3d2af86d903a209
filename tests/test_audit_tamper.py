"""`manage.py verify_audit` finds the first broken link when a row is changed or removed behind the app's back."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import _hashed_fields, audit_record, event_hash
from tests.audit_support import audit_triggers_off

pytestmark = pytest.mark.django_db


def raw_sql(sql: str, params: list) -> None:
    with audit_triggers_off(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def chain(db) -> list[AuditEvent]:
    return [audit_record(action="test.event", summary=f"event {n}", after={"n": n}) for n in range(5)]


def verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_an_intact_chain_verifies(chain):
    assert "Audit chain intact: 5 events verified." in verify()


def test_a_changed_summary_is_found_at_that_event(chain):
    raw_sql("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["nothing to see", chain[2].id])
    with pytest.raises(CommandError, match=rf"broken at event {chain[2].id}: its content does not match its hash"):
        verify()


def test_a_changed_before_and_after_value_is_found(chain):
    raw_sql("UPDATE audit_auditevent SET after = %s WHERE id = %s", ['{"n": 99}', chain[3].id])
    with pytest.raises(CommandError, match=rf"broken at event {chain[3].id}"):
        verify()


def test_a_removed_row_is_found_at_the_event_after_it(chain):
    raw_sql("DELETE FROM audit_auditevent WHERE id = %s", [chain[1].id])
    with pytest.raises(CommandError, match=rf"broken at event {chain[2].id}: its previous-hash does not match"):
        verify()


def test_a_rewritten_row_with_a_recomputed_hash_still_breaks_the_next_link(chain):
    event = AuditEvent.objects.get(pk=chain[1].pk)
    event.summary = "rewritten"
    new_hash = event_hash(prev_hash=event.prev_hash, fields=_hashed_fields(event))
    raw_sql("UPDATE audit_auditevent SET summary = %s, hash = %s WHERE id = %s", ["rewritten", new_hash, event.id])
    with pytest.raises(CommandError, match=rf"broken at event {chain[2].id}: its previous-hash does not match"):
        verify()


def test_a_removed_last_row_leaves_a_shorter_but_intact_chain(chain):
    """The limit of a hash chain: truncating the newest events is not visible from the chain alone (hence the
    PostgreSQL trigger, and backups)."""
    raw_sql("DELETE FROM audit_auditevent WHERE id = %s", [chain[-1].id])
    assert "4 events verified" in verify()

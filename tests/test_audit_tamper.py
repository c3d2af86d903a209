"""`manage.py verify_audit` finds the first broken link when a row is changed or removed behind the app's back, and
a chain recomputed without the audit key does not pass."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import GENESIS, _hashed_fields, audit_record, event_hash, legacy_event_hash
from tests.audit_support import audit_trigger_disabled_by_owner, audit_triggers_off, rechain_with_plain_sha256

pytestmark = pytest.mark.django_db


def raw_sql(sql: str, params: list) -> None:
    with audit_triggers_off(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def chain(db) -> list[AuditEvent]:
    return [audit_record(action="test.event", summary=f"event {n}", after={"n": n}) for n in range(5)]


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_an_intact_chain_verifies(chain):
    assert "Audit chain intact: 5 events verified, against 0 checkpoints." in verify()


def test_each_link_is_an_hmac_under_the_audit_key_not_a_plain_hash(chain, settings):
    first = AuditEvent.objects.get(pk=chain[0].pk)
    fields = _hashed_fields(first)
    assert first.prev_hash == GENESIS
    assert first.hash == event_hash(prev_hash=GENESIS, fields=fields)
    assert first.hash != legacy_event_hash(prev_hash=GENESIS, fields=fields)
    settings.PHB_AUDIT_KEY = "another-key"
    assert first.hash != event_hash(prev_hash=GENESIS, fields=fields)
    with pytest.raises(CommandError, match=rf"broken at event {chain[0].id}: its content does not match its hash"):
        verify()


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


def test_the_attack_edit_an_event_as_owner_and_recompute_the_chain_with_plain_sha256(chain):
    """As the tables' owner: lift the trigger, edit an event, recompute every link with plain SHA-256 (which used to
    pass). Without the key the recomputed links are not the chain's: the first of them fails."""
    with audit_trigger_disabled_by_owner(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["edited by the owner", chain[2].id])
    rechain_with_plain_sha256()
    assert AuditEvent.objects.get(pk=chain[2].pk).summary == "edited by the owner"
    with pytest.raises(CommandError, match=rf"broken at event {chain[0].id}: its content does not match its hash"):
        verify()


def test_a_cut_tail_without_a_checkpoint_still_verifies(chain):
    """The limit of a chain alone: the newest events, which no later link covers, can be cut unseen. Checkpoints
    outside the database close that (tests/test_audit_checkpoints.py) up to the newest checkpoint."""
    raw_sql("DELETE FROM audit_auditevent WHERE id = %s", [chain[-1].id])
    assert "4 events verified" in verify()

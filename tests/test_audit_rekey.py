"""Chains written before the key (plain SHA-256 links) are re-keyed by a migration: every link recomputed under the
audit key in chain order, and an `audit.rekey` event recording it; the chain then verifies."""

import importlib
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader

from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import (
    GENESIS,
    REKEY_ACTION,
    _hashed_fields,
    audit_event,
    audit_rekey,
    audit_verify,
    legacy_event_hash,
)
from tests.audit_support import audit_triggers_off

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("phb_readiness.audit.migrations.0005_rekey_chain")


def legacy_chain(count: int) -> list[AuditEvent]:
    """Events linked as the service linked them before the key: plain SHA-256."""
    events = [audit_event(action="test.legacy", summary=f"old event {n}", after={"n": n}) for n in range(count)]
    prev = GENESIS
    for event in events:
        event.prev_hash = prev
        event.hash = prev = legacy_event_hash(prev_hash=prev, fields=_hashed_fields(event))
    return AuditEvent.objects.bulk_create(events)


def historical_apps():
    """The models as the re-keying migration sees them."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return loader.project_state(("audit", "0005_rekey_chain")).apps


def test_the_migration_rekeys_an_old_chain_and_records_it(db):
    old = legacy_chain(6)
    old_head = old[-1].hash
    report = audit_verify()
    assert not report.ok and report.broken_at == old[0].id  # plain SHA-256 links no longer pass

    MIGRATION.rekey(historical_apps(), SimpleNamespace(connection=connection))

    report = audit_verify()
    assert report.ok, report.reason
    assert report.checked == 7
    rekey = AuditEvent.objects.latest("id")
    assert rekey.action == REKEY_ACTION and rekey.actor_label == "system"
    assert rekey.after == {
        "events": 6,
        "old_head_hash": old_head,
        "old_chain_intact": True,
        "old_chain_broken_at": None,
    }
    assert list(AuditEvent.objects.order_by("id").values_list("summary", flat=True))[:6] == [
        f"old event {n}" for n in range(6)
    ]


def test_a_break_in_the_old_chain_is_recorded_not_hidden(db):
    old = legacy_chain(4)
    with audit_triggers_off(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET summary = 'edited' WHERE id = %s", [old[2].id])
    rekey = audit_rekey()
    assert rekey.after["old_chain_intact"] is False
    assert rekey.after["old_chain_broken_at"] == old[2].id
    assert audit_verify().ok


def test_an_empty_chain_is_left_alone(db):
    assert audit_rekey() is None
    assert not AuditEvent.objects.exists()


def test_the_append_only_trigger_is_back_after_rekeying(db):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only (set DATABASE_URL)")
    legacy_chain(3)
    audit_rekey()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.update(summary="changed")


def test_a_chain_longer_than_one_batch_is_rekeyed_whole(db):
    """Read 2,000 events at a time and written back 1,000 at a time: the links across both boundaries hold."""
    legacy_chain(2050)
    assert audit_rekey().after["events"] == 2050
    report = audit_verify()
    assert report.ok, report.reason
    assert report.checked == 2051

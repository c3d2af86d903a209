"""Writing and verifying the audit trail.

Each event's hash is an HMAC-SHA256, under the service's audit key (held outside the database), of its own fields and
the hash of the event before it: changing or removing any row breaks the chain from that row on, and whoever can
write the table but lacks the key cannot recompute it (`manage.py verify_audit` finds the first broken link). The
newest events, which no later link covers, are anchored by signed checkpoints outside the database
(`audit.checkpoints`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from phb_readiness.audit.checkpoints import CheckpointError, checkpoints_check, checkpoints_read
from phb_readiness.audit.models import AuditEvent
from phb_readiness.keys import service_key

GENESIS = "0" * 64


def _canonical(value: Any) -> Any:
    """JSON-safe, stable form of before/after values (dates, decimals, UUIDs as strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True)) if value is not None else None


def _link_message(prev_hash: str, fields: dict[str, Any]) -> bytes:
    payload = json.dumps(fields, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{prev_hash}\n{payload}".encode()


def event_hash(*, prev_hash: str, fields: dict[str, Any], key: bytes | None = None) -> str:
    """An event's link: HMAC-SHA256 of the previous hash and its fields, under the audit key."""
    return hmac.new(key or service_key("audit"), _link_message(prev_hash, fields), hashlib.sha256).hexdigest()


def legacy_event_hash(*, prev_hash: str, fields: dict[str, Any]) -> str:
    """The link of chains written before the key: plain SHA-256, which anyone could recompute (re-keying checks the
    old chain with it before replacing it)."""
    return hashlib.sha256(_link_message(prev_hash, fields)).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "created_at": event.created_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "site_id": event.site_id,
        "summary": event.summary,
        "before": event.before,
        "after": event.after,
    }


def audit_event(
    *,
    action: str,
    actor=None,
    obj=None,
    site=None,
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
) -> AuditEvent:
    """An event, not yet linked or saved (audit_append_many links and saves several in one statement).

    The object is named by `obj`, or by `object_type` and `object_id` when there is no instance at hand (the admin's
    log of a change names its object only by content type and id).
    """
    actor_ok = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent(
        created_at=timezone.now(),
        actor=actor if actor_ok else None,
        actor_label=actor.get_username() if actor_ok else (getattr(actor, "username", "") or "system"),
        action=action,
        object_type=object_type if object_type is not None else (obj._meta.label_lower if obj is not None else ""),
        object_id=object_id if object_id is not None else (str(obj.pk) if obj is not None else ""),
        site=site,
        summary=summary[:300],
        before=_canonical(before),
        after=_canonical(after),
    )


def audit_record(**kwargs) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction (arguments as for audit_event)."""
    return audit_append_many([audit_event(**kwargs)])[0]


def audit_append(event: AuditEvent, *, replay: bool = False) -> AuditEvent:
    """Link a prepared event (a restored site's archived one, say) to the end of the chain and save it. Events are
    inserted in bulk, without post_save signals: nothing reacts to them, and a replayed one is history."""
    return audit_append_many([event])[0]


APPEND_ATTEMPTS = 20


def audit_append_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Link events to the end of the chain in their order and insert them in one statement: two queries.

    No lock is held: `prev_hash` is unique, so when another transaction appended after the end this one read, the
    insert fails (on PostgreSQL it waits for the other to commit first) and is retried from the new end, inside a
    savepoint that keeps the caller's transaction intact. Ids are taken at insert, so the chain's order is the ids'.
    """
    key = service_key("audit")
    for attempt in range(APPEND_ATTEMPTS):
        try:
            with transaction.atomic():
                prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
                for event in events:
                    event.prev_hash = prev
                    event.hash = prev = event_hash(prev_hash=prev, fields=_hashed_fields(event), key=key)
                return AuditEvent.objects.bulk_create(events)
        except IntegrityError:
            if attempt == APPEND_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return not self.reason


def _chain(model: type[AuditEvent], *, batch: int = 2000) -> Iterator[AuditEvent]:
    """Every event in chain order, read in batches by id (safe to update the rows of a batch as it goes)."""
    last_id = 0
    while True:
        rows = list(model.objects.filter(id__gt=last_id).order_by("id")[:batch])
        yield from rows
        if len(rows) < batch:
            return
        last_id = rows[-1].id


def audit_verify() -> ChainReport:
    """Walk the chain in order and report the first event whose link or content does not match; then hold the chain
    against every checkpoint written outside the database (a chain cut below one, or an event differing from one)."""
    key = service_key("audit")
    try:
        anchors = checkpoints_read(key=key)
    except CheckpointError as error:
        return ChainReport(0, None, str(error))
    wanted = {anchor.head_event_id for anchor in anchors}
    prev = GENESIS
    checked = 0
    seen: dict[int, tuple[str, int]] = {}  # a checkpoint's head event id -> (its hash, events up to and with it)
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev:
            return ChainReport(checked, event.id, "its previous-hash does not match the event before it")
        if not hmac.compare_digest(event.hash, event_hash(prev_hash=prev, fields=_hashed_fields(event), key=key)):
            return ChainReport(checked, event.id, "its content does not match its hash under the audit key")
        prev = event.hash
        checked += 1
        if event.id in wanted:
            seen[event.id] = (event.hash, checked)
    try:
        checkpoints_check(anchors, seen=seen, total=checked)
    except CheckpointError as error:
        return ChainReport(checked, None, str(error))
    return ChainReport(checked, checkpoints=len(anchors))


REKEY_ACTION = "audit.rekey"


@contextmanager
def append_only_lifted(table: str, *, using: str) -> Iterator[None]:
    """On PostgreSQL, lift the append-only trigger for the enclosing transaction (the table owner's right, which the
    app's role lacks). ALTER TABLE also locks the table until commit, so nothing appends while links are rewritten."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    trigger = connection.ops.quote_name(f"{table}_append_only")
    quoted = connection.ops.quote_name(table)

    def alter(action: str) -> None:
        with connection.cursor() as cursor:
            # ALTER TABLE refuses while deferred checks of rows written earlier in the transaction are pending: run
            # them now (Django declares every foreign key INITIALLY DEFERRED, which the last statement restores).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {quoted} {action} TRIGGER {trigger}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    alter("DISABLE")
    yield
    alter("ENABLE")


def audit_rekey(
    *,
    model: type[AuditEvent] = AuditEvent,
    key: bytes | None = None,
    old_hash: Callable[..., str] = legacy_event_hash,
    using: str = "default",
) -> AuditEvent | None:
    """Recompute every link of the chain with the audit key, in chain order, and append an `audit.rekey` event that
    records it: how many events, the old head, and whether the old chain verified under `old_hash` (a break found
    there is recorded, not repaired: the new links cover the rows as they are). None for an empty chain.

    Runs in one transaction as the tables' owner (the data migration passes its historical model).
    """
    key = key or service_key("audit")
    with transaction.atomic(using=using), append_only_lifted(model._meta.db_table, using=using):
        old_prev = new_prev = GENESIS
        count = 0
        old_broken_at: int | None = None
        changed: list[AuditEvent] = []
        for event in _chain(model):
            fields = _hashed_fields(event)
            if old_broken_at is None and (
                event.prev_hash != old_prev or event.hash != old_hash(prev_hash=event.prev_hash, fields=fields)
            ):
                old_broken_at = event.id
            old_prev = event.hash
            event.prev_hash = new_prev
            event.hash = new_prev = event_hash(prev_hash=new_prev, fields=fields, key=key)
            changed.append(event)
            count += 1
            if len(changed) >= 1000:
                model.objects.bulk_update(changed, ["prev_hash", "hash"])
                changed = []
        if count == 0:
            return None
        model.objects.bulk_update(changed, ["prev_hash", "hash"])
        rekeyed = model(
            created_at=timezone.now(),
            actor_label="system",
            action=REKEY_ACTION,
            summary=f"The audit chain's {count} links were recomputed under the service's audit key.",
            after={
                "events": count,
                "old_head_hash": old_prev,
                "old_chain_intact": old_broken_at is None,
                "old_chain_broken_at": old_broken_at,
            },
        )
        rekeyed.prev_hash = new_prev
        rekeyed.hash = event_hash(prev_hash=new_prev, fields=_hashed_fields(rekeyed), key=key)
        rekeyed.save(using=using)
    return rekeyed

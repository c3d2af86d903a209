"""Writing and verifying the audit trail.

Each event's hash covers its own fields and the hash of the event before it, so changing or removing any
row breaks the chain from that row on (`manage.py verify_audit` finds the first broken link).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from phb_readiness.audit.models import AuditEvent

GENESIS = "0" * 64


def _canonical(value: Any) -> Any:
    """JSON-safe, stable form of before/after values (dates, decimals, UUIDs as strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True)) if value is not None else None


def event_hash(*, prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


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
    for attempt in range(APPEND_ATTEMPTS):
        try:
            with transaction.atomic():
                prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
                for event in events:
                    event.prev_hash = prev
                    event.hash = prev = event_hash(prev_hash=prev, fields=_hashed_fields(event))
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

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def audit_verify() -> ChainReport:
    """Walk the chain in order and report the first event whose link or content does not match."""
    prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev:
            return ChainReport(checked, event.id, "its previous-hash does not match the event before it")
        if event.hash != event_hash(prev_hash=event.prev_hash, fields=_hashed_fields(event)):
            return ChainReport(checked, event.id, "its content does not match its hash")
        prev = event.hash
        checked += 1
    return ChainReport(checked)

"""Checkpoints of the audit chain's head, kept where the app's database role cannot reach them.

A hash chain shows a changed or removed event only where a later link covers it: cutting the newest events leaves a
shorter chain that still verifies. A checkpoint records the head (its event id and hash, the number of events up to
it, the time), signed with HMAC-SHA256 under the audit key, as a small JSON object in the private file store (the
local directory or the S3 bucket) under `audit-checkpoints/`. Objects there are never overwritten: each checkpoint
gets a name of its own. `verify_audit` holds the chain against every checkpoint.

Checkpoints are written daily (Celery beat), whenever a report is issued, and by `manage.py audit_checkpoint`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from phb_readiness.audit.models import AuditEvent
from phb_readiness.keys import service_key

CHECKPOINT_DIR = "audit-checkpoints"
KIND = "phb-audit-checkpoint"
VERSION = 1


class CheckpointError(Exception):
    """A checkpoint that cannot be read, is not genuine, or that the chain does not match (a one-line reason)."""


@dataclass(frozen=True)
class Checkpoint:
    name: str
    head_event_id: int
    head_hash: str
    event_count: int
    created_at: str


def _signature(body: dict[str, Any], key: bytes) -> str:
    message = b"audit-checkpoint\n" + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def audit_checkpoint() -> Checkpoint | None:
    """Write a signed checkpoint of the chain's head now; None when the chain is empty.

    Call it outside a transaction (or through audit_checkpoint_on_commit): a head that was never committed would
    make every later verification fail.
    """
    head = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    if head is None:
        return None
    head_id, head_hash = head
    # Appends link in id order (audit_append_many), so the events up to the head are exactly those with lower ids.
    count = AuditEvent.objects.filter(id__lte=head_id).count()
    now = timezone.now()
    body = {
        "kind": KIND,
        "version": VERSION,
        "head_event_id": head_id,
        "head_hash": head_hash,
        "event_count": count,
        "created_at": now.isoformat(),
    }
    document = {**body, "signature": _signature(body, service_key("audit"))}
    # A name of its own; the storage never overwrites (it would pick another name for one already taken).
    name = default_storage.save(
        f"{CHECKPOINT_DIR}/{now:%Y%m%dT%H%M%S%fZ}-{head_id}.json",
        ContentFile(json.dumps(document, indent=2).encode()),
    )
    return Checkpoint(name, head_id, head_hash, count, body["created_at"])


def audit_checkpoint_on_commit() -> None:
    """Checkpoint once the caller's transaction commits (at once outside one). A failure is logged, never raised:
    what triggered it (a report issued) stands either way, and the daily checkpoint follows."""
    transaction.on_commit(audit_checkpoint, robust=True)


def _parse(name: str, raw: bytes, key: bytes) -> Checkpoint:
    try:
        document = json.loads(raw)
    except ValueError:
        raise CheckpointError(f"checkpoint {name} is not valid JSON") from None
    types = {"head_event_id": int, "head_hash": str, "event_count": int, "created_at": str, "signature": str}
    if (
        not isinstance(document, dict)
        or document.get("kind") != KIND
        or document.get("version") != VERSION
        or any(type(document.get(field)) is not kind for field, kind in types.items())
    ):
        raise CheckpointError(f"checkpoint {name} is not a checkpoint of this service")
    body = {field: value for field, value in document.items() if field != "signature"}
    if not hmac.compare_digest(document["signature"], _signature(body, key)):
        raise CheckpointError(f"checkpoint {name} is forged or altered: its signature does not match the audit key")
    return Checkpoint(
        name, document["head_event_id"], document["head_hash"], document["event_count"], document["created_at"]
    )


def checkpoints_read(*, key: bytes) -> list[Checkpoint]:
    """Every checkpoint in the file store, its signature checked, oldest head first."""
    try:
        _folders, files = default_storage.listdir(CHECKPOINT_DIR)
    except FileNotFoundError:
        return []
    except Exception as error:  # the bucket's client raises its own kinds
        raise CheckpointError(f"the checkpoints in the file store cannot be listed ({error})") from error
    anchors = []
    for file_name in sorted(files):
        name = f"{CHECKPOINT_DIR}/{file_name}"
        try:
            with default_storage.open(name, "rb") as handle:
                raw = handle.read()
        except Exception as error:
            raise CheckpointError(f"checkpoint {name} cannot be read ({error})") from error
        anchors.append(_parse(name, raw, key))
    return sorted(anchors, key=lambda anchor: (anchor.head_event_id, anchor.name))


def checkpoints_check(anchors: list[Checkpoint], *, seen: dict[int, tuple[str, int]], total: int) -> None:
    """Hold a verified chain against the checkpoints: `seen` maps each checkpoint's head event id, where the chain
    has it, to its hash and the number of events up to it; `total` is the chain's length."""
    for anchor in anchors:
        if anchor.head_event_id not in seen:
            if total < anchor.event_count:
                raise CheckpointError(
                    f"the chain holds {total} events, fewer than the {anchor.event_count} up to event "
                    f"{anchor.head_event_id} that checkpoint {anchor.name} recorded: events were removed"
                )
            raise CheckpointError(f"event {anchor.head_event_id}, checkpoint {anchor.name}'s head, is not in the chain")
        head_hash, count = seen[anchor.head_event_id]
        if not hmac.compare_digest(head_hash, anchor.head_hash):
            raise CheckpointError(
                f"event {anchor.head_event_id}'s hash differs from the one checkpoint {anchor.name} recorded"
            )
        if count != anchor.event_count:
            raise CheckpointError(
                f"checkpoint {anchor.name} recorded {anchor.event_count} events up to event {anchor.head_event_id}; "
                f"the chain holds {count}"
            )

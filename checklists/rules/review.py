"""Pure rules of review: what a reviewer's acceptance covers (the hash over every section's content), and what
changed in the answers since a return."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from checklists.models import Response


def assessment_content_sha256(sections: Iterable) -> str:
    """What a reviewer's acceptance covers: every section's canonical content (its stored figures' content_sha256),
    in order."""
    return hashlib.sha256("\n".join(f"{s.code}:{s.content_sha256}" for s in sections).encode()).hexdigest()


@dataclass(frozen=True)
class FieldChange:
    """One field of an answer as it was when the assessment was returned, beside what it is now."""

    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ItemChanges:
    """What changed in one item's answer since a return: its fields, old beside new, and evidence added or removed."""

    item_id: int
    code: str
    fields: tuple[FieldChange, ...] = ()
    evidence_added: tuple[str, ...] = ()
    evidence_removed: tuple[str, ...] = ()

    @property
    def rows(self) -> list[FieldChange]:
        """Every change as one old-beside-new row, evidence included."""
        return [
            *self.fields,
            *(FieldChange("Evidence added", "", title) for title in self.evidence_added),
            *(FieldChange("Evidence removed", title, "") for title in self.evidence_removed),
        ]


def _status_label(value: str | None) -> str:
    try:
        return str(Response.Status(value).label)
    except ValueError:
        return value or ""


def _date_text(value: str | None) -> str:
    return datetime.date.fromisoformat(value).strftime("%-d %B %Y") if value else ""


def snapshot_changes(old: dict[str, dict], new: dict[str, dict]) -> list[ItemChanges]:
    """The items whose answer differs between two snapshots (each keyed by item id: status, narrative, owner id and
    name, due date, evidence as [id, title] pairs), in the order of `new`. Evidence is matched by id, so a file
    removed and added again under the same title counts as both."""
    changes = []
    for key, now in new.items():
        then = old.get(key)
        if then is None:
            continue
        fields = []
        if then.get("status") != now.get("status"):
            fields.append(FieldChange("Status", _status_label(then.get("status")), _status_label(now.get("status"))))
        if (then.get("narrative") or "") != (now.get("narrative") or ""):
            fields.append(FieldChange("Narrative", then.get("narrative") or "", now.get("narrative") or ""))
        if then.get("owner") != now.get("owner"):
            fields.append(FieldChange("Owner", then.get("owner_name") or "", now.get("owner_name") or ""))
        if then.get("due_date") != now.get("due_date"):
            fields.append(FieldChange("Due date", _date_text(then.get("due_date")), _date_text(now.get("due_date"))))
        old_evidence = {ev_id: title for ev_id, title in then.get("evidence", [])}
        new_evidence = {ev_id: title for ev_id, title in now.get("evidence", [])}
        added = tuple(title for ev_id, title in new_evidence.items() if ev_id not in old_evidence)
        removed = tuple(title for ev_id, title in old_evidence.items() if ev_id not in new_evidence)
        if fields or added or removed:
            changes.append(ItemChanges(int(key), now.get("code", ""), tuple(fields), added, removed))
    return changes

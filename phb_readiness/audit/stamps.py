"""A site's data stamp, and values kept in a process for as long as it stays the same.

Every change to a site's checklist (answers, evidence, comments, concerns, sign-offs, states) appends an audit event
naming the site in the same transaction: the trail must record them all (issue 6; tests/test_audit_coverage.py).
So the hash of a site's newest event identifies the state of its data, and a value computed from that data can be
kept under a key holding the hash for as long as the hash stays the same.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.db.models import OuterRef, Subquery

from phb_readiness.audit.models import AuditEvent


def site_data_stamp() -> Subquery:
    """Annotation for a PilotSite query: the hash of the site's newest audit event (None when it has none); one
    index probe (audit_site_newest) per site."""
    return Subquery(AuditEvent.objects.filter(site=OuterRef("pk")).order_by("-id").values("hash")[:1])


def site_data_stamp_of(site_id: int) -> str | None:
    return AuditEvent.objects.filter(site_id=site_id).order_by("-id").values_list("hash", flat=True).first()


class StampedMemo:
    """Values kept in this process under keys that carry a site's data stamp (see site_data_stamp), in a bounded
    LRU. Every change to a site's checklist appends an audit event naming the site in the same transaction (the
    trail must record them all, issue 6), so a change means a new key and an entry is never served stale; entries
    of old keys age out. A dict, not Django's cache: a hit costs nothing (no pickling), and every request reads the
    stamps from the database, so processes never disagree about what is current."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._entries: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()  # threaded servers (runserver, gunicorn's gthread) share one memo

    def get(self, key: tuple):
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: tuple, value) -> None:
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

"""Values kept in a process, for what never changes under its key, and the one registry that empties them all.

A memo is for a value that depends only on its key (a published framework version under its content hash, the
HTML of a form that shows only what its key names): never for data that changes under the same key. Tests and the
benchmark empty every memo with memos_clear().
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

_REGISTRY: list[Memo] = []


class Memo:
    """A bounded, thread-safe LRU of values by key (threaded servers share one)."""

    def __init__(self, name: str, size: int) -> None:
        self.name = name
        self.size = size
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        _REGISTRY.append(self)

    def get(self, key: Hashable):
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def memos_clear() -> None:
    """Empty every memo of this process."""
    for memo in _REGISTRY:
        memo.clear()

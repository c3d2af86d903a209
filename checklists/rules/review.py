"""What a reviewer's acceptance covers: the hash over every section's content."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def assessment_content_sha256(sections: Iterable) -> str:
    """What a reviewer's acceptance covers: every section's canonical content (its stored figures' content_sha256),
    in order."""
    return hashlib.sha256("\n".join(f"{s.code}:{s.content_sha256}" for s in sections).encode()).hexdigest()

"""What a framework version asks, as opposed to how it is described.

A published version never changes what it asks: the codes and order of its sections and items, each item's question,
guidance, source, kind, and whether it is mandatory and expects evidence. Those decide what an answer means, and
assessments, sign-offs and archives refer to them. How the version is described (its name and description, section
titles and summaries, and each item's provenance, quoted passage and reasons) explains the questions without changing
them, so it may be corrected under the same version. `framework_substance_sha256` hashes only what is asked, so the
loader and a site archive can tell the two kinds of change apart.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

# Item fields, by their model names, that decide what an answer means.
SUBSTANCE_ITEM_FIELDS = (
    "code",
    "question",
    "guidance",
    "source_key",
    "source_section",
    "kind",
    "mandatory",
    "evidence_expected",
)
# Item fields that describe where an item comes from and why: the framework file must give each of them.
DESCRIPTION_ITEM_FIELDS = ("provenance", "source_passage", "mandatory_reason", "evidence_reason")


def framework_substance_sha256(
    *,
    slug: str,
    version: str,
    published: bool,
    sources: list,
    sections: Iterable[tuple[str, Iterable[Mapping]]],
) -> str:
    """SHA-256 of what a framework version asks: `sections` are (code, items) in order, each item a mapping with at
    least the SUBSTANCE_ITEM_FIELDS, in order."""
    canonical = {
        "slug": slug,
        "version": version,
        "published": bool(published),
        "sources": sources,
        "sections": [
            {"code": code, "items": [{name: item[name] for name in SUBSTANCE_ITEM_FIELDS} for item in items]}
            for code, items in sections
        ],
    }
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()

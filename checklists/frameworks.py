"""Loading the guidance as data: a human-editable TOML file in fixtures/frameworks/ becomes a Framework.

A published framework version is immutable. Loading the same content again changes nothing; loading different
content under a published version is refused, with a message that says to raise the version.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from django.db import transaction

from checklists.models import Framework, Item, Section

ITEM_KEYS = {
    "code",
    "question",
    "guidance",
    "source",
    "source_section",
    "kind",
    "mandatory",
    "evidence_expected",
}
DEFAULT_FRAMEWORK_FILE = (
    Path(__file__).resolve().parent.parent / "fixtures" / "frameworks" / "phb-staff-readiness-2009.toml"
)


class FrameworkFileError(ValueError):
    """The file cannot be loaded; the message says what to fix."""


@dataclass(frozen=True)
class LoadResult:
    framework: Framework
    created: bool

    @property
    def item_count(self) -> int:
        return Item.objects.filter(section__framework=self.framework).count()


def framework_read(path: Path) -> dict:
    """Parse and validate a framework file, returning its data."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise FrameworkFileError(f"{path}: no such file.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise FrameworkFileError(f"{path}: not valid TOML: {exc}") from exc
    _validate(data, path)
    return data


def _validate(data: dict, path: Path) -> None:
    meta = data.get("framework") or {}
    for key in ("slug", "name", "version"):
        if not meta.get(key):
            raise FrameworkFileError(f"{path}: [framework] needs a {key!r}.")
    source_keys = {s.get("key") for s in data.get("sources", [])}
    sections = data.get("sections") or []
    if not sections:
        raise FrameworkFileError(f"{path}: the framework has no [[sections]].")
    seen: set[str] = set()
    for section in sections:
        for key in ("code", "title"):
            if not section.get(key):
                raise FrameworkFileError(f"{path}: a section needs a {key!r}.")
        for item in section.get("items") or []:
            code = item.get("code", "?")
            missing = ITEM_KEYS - item.keys()
            if missing:
                raise FrameworkFileError(f"{path}: item {code} lacks {', '.join(sorted(missing))}.")
            if code in seen or code in {s["code"] for s in sections}:
                raise FrameworkFileError(f"{path}: the code {code} is used twice.")
            seen.add(code)
            if item["source"] not in source_keys:
                raise FrameworkFileError(f"{path}: item {code} cites an unknown source {item['source']!r}.")
            if item["kind"] not in Item.Kind.values:
                raise FrameworkFileError(f"{path}: item {code} has kind {item['kind']!r}; use readiness or describe.")


def content_sha256(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def framework_load(*, path: Path) -> LoadResult:
    """Load a framework file. Idempotent; refuses to change a published version."""
    data = framework_read(path)
    meta = data["framework"]
    digest = content_sha256(data)
    existing = Framework.objects.select_for_update().filter(slug=meta["slug"], version=meta["version"]).first()
    if existing is not None:
        if existing.content_sha256 == digest:
            return LoadResult(framework=existing, created=False)
        if existing.published or existing.assessments.exists():
            raise FrameworkFileError(
                f"Framework {meta['slug']} version {meta['version']} is already loaded and "
                f"{'published' if existing.published else 'in use'}, and this file differs from it. "
                "A published version never changes: raise the version in the file's [framework] table "
                "and load it again."
            )
        existing.delete()  # an unpublished, unused draft may be replaced
    framework = Framework.objects.create(
        slug=meta["slug"],
        name=meta["name"],
        version=meta["version"],
        description=meta.get("description", ""),
        sources=data.get("sources", []),
        published=bool(meta.get("published", False)),
        content_sha256=digest,
    )
    items: list[Item] = []
    for section_position, section_data in enumerate(data["sections"], start=1):
        section = Section.objects.create(
            framework=framework,
            code=section_data["code"],
            title=section_data["title"],
            summary=section_data.get("summary", ""),
            position=section_position,
        )
        for item_position, item in enumerate(section_data.get("items") or [], start=1):
            items.append(
                Item(
                    section=section,
                    code=item["code"],
                    question=item["question"],
                    guidance=item["guidance"],
                    source_key=item["source"],
                    source_section=item["source_section"],
                    kind=item["kind"],
                    mandatory=bool(item["mandatory"]),
                    evidence_expected=bool(item["evidence_expected"]),
                    position=item_position,
                )
            )
    Item.objects.bulk_create(items)
    return LoadResult(framework=framework, created=True)


def current_framework(slug: str = "phb-staff-readiness") -> Framework | None:
    """The newest published version of a framework."""
    return Framework.objects.filter(slug=slug, published=True).order_by("-loaded_at", "-id").first()


@dataclass(frozen=True)
class FrameworkStructure:
    """A framework version's sections and items in order, as every checklist page reads them."""

    sections: list[Section]
    items: list[Item]  # in section order, then item order; each item's `section` set

    @cached_property
    def codes(self) -> list[str]:
        return [item.code for item in self.items]

    @cached_property
    def items_by_id(self) -> dict[int, Item]:
        return {item.id: item for item in self.items}


# A framework's content never changes under the same SHA-256 (a published version is immutable, and loading new
# content records a new hash), so its structure is read once per process. Pages treat the instances as read-only.
_STRUCTURES: dict[tuple[int, str], FrameworkStructure] = {}


def framework_structures_clear() -> None:
    _STRUCTURES.clear()


def framework_structure(framework: Framework) -> FrameworkStructure:
    key = (framework.id, framework.content_sha256)
    structure = _STRUCTURES.get(key)
    if structure is None:
        sections = list(Section.objects.filter(framework=framework).order_by("position"))
        by_id = {s.id: s for s in sections}
        items = sorted(
            Item.objects.filter(section__framework=framework), key=lambda i: (by_id[i.section_id].position, i.position)
        )
        for item in items:
            item.section = by_id[item.section_id]
        structure = _STRUCTURES[key] = FrameworkStructure(sections=sections, items=items)
    return structure

"""Loading the guidance as data: a human-editable TOML file in fixtures/frameworks/ becomes a Framework.

A published framework version is immutable. Loading the same content again changes nothing; loading different
content under a published version is refused, with a message that says to raise the version.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
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
    Path(__file__).resolve().parents[2] / "fixtures" / "frameworks" / "phb-staff-readiness-2009.toml"
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

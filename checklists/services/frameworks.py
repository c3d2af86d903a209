"""Loading the guidance as data: a human-editable TOML file in fixtures/frameworks/ becomes a Framework.

A published framework version is immutable in what it asks (`checklists.rules.frameworks`). Loading the same content
again changes nothing; loading a file that asks something different under a published version is refused, with a
message that says to raise the version. A file that asks the same but describes it differently (a section's title,
an item's provenance, passage or reasons) updates the description in place, recorded in the audit trail: the
assessments already made against the version keep their meaning and gain the description. A new version would have
left those assessments, and every round carried forward from them, without it.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from checklists.models import Assessment, Framework, Item, Readiness, Section
from checklists.rules.frameworks import DESCRIPTION_ITEM_FIELDS, framework_substance_sha256
from phb_readiness.audit.services import audit_record

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
    described: bool = False  # an existing version's description was updated in place

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
            _validate_description(item, path)


DESCRIPTION_HELP = {
    "provenance": "say where it comes from (" + ", ".join(Item.Provenance.values) + ")",
    "source_passage": "quote the passage of the source it comes from",
    "mandatory_reason": "say why it is mandatory or optional",
    "evidence_reason": "say why it expects evidence or does not",
}


def _validate_description(item: dict, path: Path) -> None:
    """Every item says where it comes from and why; only an item added by this service may lack a source passage."""
    code = item["code"]
    for key in DESCRIPTION_ITEM_FIELDS:
        if key == "source_passage" and item.get("provenance") == Item.Provenance.SERVICE:
            continue
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            raise FrameworkFileError(f"{path}: item {code} has no {key}: {DESCRIPTION_HELP[key]}.")
    if item["provenance"] not in Item.Provenance.values:
        raise FrameworkFileError(
            f"{path}: item {code} has provenance {item['provenance']!r}; use {', '.join(Item.Provenance.values)}."
        )
    if item["provenance"] == Item.Provenance.QUESTION and item["source_passage"] != item["question"]:
        raise FrameworkFileError(
            f"{path}: item {code} is a question of the guidance, so its question must be its source_passage, "
            "word for word."
        )


def content_sha256(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _item_fields(item: dict) -> dict:
    """A file's item as the model's fields."""
    return {
        "code": item["code"],
        "question": item["question"],
        "guidance": item["guidance"],
        "source_key": item["source"],
        "source_section": item["source_section"],
        "kind": item["kind"],
        "mandatory": bool(item["mandatory"]),
        "evidence_expected": bool(item["evidence_expected"]),
        "provenance": item["provenance"],
        "source_passage": item.get("source_passage", ""),
        "mandatory_reason": item["mandatory_reason"],
        "evidence_reason": item["evidence_reason"],
    }


def _file_substance(data: dict) -> str:
    meta = data["framework"]
    return framework_substance_sha256(
        slug=meta["slug"],
        version=meta["version"],
        published=bool(meta.get("published", False)),
        sources=data.get("sources", []),
        sections=[(s["code"], [_item_fields(i) for i in s.get("items") or []]) for s in data["sections"]],
    )


def loaded_substance_sha256(framework: Framework) -> str:
    """What a loaded version asks (`framework_substance_sha256`), read from its rows."""
    items: dict[int, list[dict]] = {}
    for item in Item.objects.filter(section__framework=framework).order_by("position").values():
        items.setdefault(item["section_id"], []).append(item)
    return framework_substance_sha256(
        slug=framework.slug,
        version=framework.version,
        published=framework.published,
        sources=framework.sources,
        sections=[(s.code, items.get(s.id, [])) for s in framework.sections.order_by("position")],
    )


@transaction.atomic
def framework_load(*, path: Path) -> LoadResult:
    """Load a framework file. Idempotent; refuses to change what a published version asks, updates its description."""
    data = framework_read(path)
    meta = data["framework"]
    digest = content_sha256(data)
    existing = Framework.objects.select_for_update().filter(slug=meta["slug"], version=meta["version"]).first()
    if existing is not None:
        if existing.content_sha256 == digest:
            return LoadResult(framework=existing, created=False)
        if loaded_substance_sha256(existing) == _file_substance(data):
            _describe(existing, data, digest)
            return LoadResult(framework=existing, created=False, described=True)
        if existing.published or existing.assessments.exists():
            raise FrameworkFileError(
                f"Framework {meta['slug']} version {meta['version']} is already loaded and "
                f"{'published' if existing.published else 'in use'}, and this file asks something different "
                "(a code, question, guidance, source, kind, mandatory or evidence expected). "
                "A published version never changes what it asks: raise the version in the file's [framework] table "
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
            items.append(Item(section=section, position=item_position, **_item_fields(item)))
    Item.objects.bulk_create(items)
    return LoadResult(framework=framework, created=True)


def _describe(framework: Framework, data: dict, digest: str) -> None:
    """Update, in place, how a loaded version is described; what it asks is the same (the caller checked).

    The new content hash keys the framework's structure memo afresh. Stored readiness carries section titles, so a
    renamed section is renamed there too, under each assessment's lock, as a save would write it."""
    meta = data["framework"]
    sections = {s.code: s for s in framework.sections.all()}
    items = {(i.section_id, i.code): i for i in Item.objects.filter(section__framework=framework)}
    renamed: dict[str, tuple[str, str]] = {}
    described: list[str] = []
    for section_data in data["sections"]:
        section = sections[section_data["code"]]
        if section.title != section_data["title"]:
            renamed[section.code] = (section.title, section_data["title"])
        section.title, section.summary = section_data["title"], section_data.get("summary", "")
        for item_data in section_data.get("items") or []:
            item = items[(section.id, item_data["code"])]
            fields = _item_fields(item_data)
            if any(getattr(item, name) != fields[name] for name in DESCRIPTION_ITEM_FIELDS):
                described.append(item.code)
            for name in DESCRIPTION_ITEM_FIELDS:
                setattr(item, name, fields[name])
    Section.objects.bulk_update(sections.values(), ["title", "summary"])
    Item.objects.bulk_update(items.values(), list(DESCRIPTION_ITEM_FIELDS))
    framework.name, framework.description = meta["name"], meta.get("description", "")
    before = framework.content_sha256
    framework.content_sha256 = digest
    framework.save(update_fields=["name", "description", "content_sha256"])
    if renamed:
        _rename_in_stored_readiness(framework, {code: new for code, (_, new) in renamed.items()})
    audit_record(
        action="framework.described",
        obj=framework,
        summary=f"Updated the description of {framework.name} version {framework.version}: "
        f"{len(described)} item(s) described, {len(renamed)} section(s) renamed",
        before={"content_sha256": before, "titles": {code: old for code, (old, _) in renamed.items()}},
        after={
            "content_sha256": digest,
            "titles": {code: new for code, (_, new) in renamed.items()},
            "items": described,
        },
    )


def _rename_in_stored_readiness(framework: Framework, titles: dict[str, str]) -> None:
    # Assessments first, then their readiness rows: the order every save takes its locks in.
    ids = list(Assessment.objects.select_for_update().filter(framework=framework).values_list("pk", flat=True))
    rows = list(Readiness.objects.filter(assessment_id__in=ids))
    for row in rows:
        row.sections = [entry | {"title": titles.get(entry["code"], entry["title"])} for entry in row.sections]
    Readiness.objects.bulk_update(rows, ["sections"], batch_size=500)

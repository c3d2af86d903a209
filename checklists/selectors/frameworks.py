"""Reads of the guidance: the current framework version, and a version's sections and items in order."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from checklists.models import Framework, Item, Section
from phb_readiness.memos import Memo


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
_STRUCTURES = Memo("framework structures", size=32)


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
        structure = FrameworkStructure(sections=sections, items=items)
        _STRUCTURES.put(key, structure)
    return structure

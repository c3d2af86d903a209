"""How ready a site is: per section and overall, with the one RAG rule (DESIGN.md §4).

Everything here is a pure function over rows the caller has already loaded, so a page or a report computes
readiness for any number of sections without further queries.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from checklists.models import Evidence, Response, Section, SignOff


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    @property
    def label(self) -> str:
        return self.value.capitalize()


RAG_RULE = (
    "Red: a mandatory item is recorded as not in place, or a concern is open. "
    "Green: every applicable item is in place and both the management sign-off and the staff-side "
    "acknowledgement are current. Amber: anything else, that is, work is still outstanding."
)


def rag_rating(*, mandatory_not_in_place: int, open_concerns: int, all_in_place: bool, signed_off: bool) -> Rag:
    """The RAG rule, and the only place it lives (shown on screen and printed in reports as RAG_RULE)."""
    if mandatory_not_in_place or open_concerns:
        return Rag.RED
    if all_in_place and signed_off:
        return Rag.GREEN
    return Rag.AMBER


class SignOffState(StrEnum):
    NONE = "none"
    MANAGEMENT_ONLY = "management_only"
    COMPLETE = "complete"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return {
            "none": "Not signed off",
            "management_only": "Awaiting staff-side acknowledgement",
            "complete": "Signed off by both sides",
            "superseded": "Sign-off superseded by later changes",
        }[self.value]


def section_content_sha256(responses: Iterable[Response], evidence: dict[int, list[Evidence]]) -> str:
    """SHA-256 of the canonical content a section sign-off covers: its responses and their evidence hashes."""
    canonical = [
        {
            "item": r.item.code,
            "status": r.status,
            "narrative": r.narrative,
            "not_applicable_reason": r.not_applicable_reason,
            "owner": r.owner_id,
            "due_date": r.due_date.isoformat() if r.due_date else None,
            "evidence": sorted(e.sha256 or e.url for e in evidence.get(r.id, [])),
        }
        for r in sorted(responses, key=lambda r: r.item.code)
    ]
    payload = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def signoff_state(signoffs: Sequence[SignOff], content_sha256: str) -> tuple[SignOffState, list[SignOff]]:
    """The state of a section's sign-offs against its current content, and the current ones.

    Sign-offs are append-only: the latest management sign-off counts, and a staff-side acknowledgement counts
    only if it came after it and both cover the content as it is now.
    """
    management = [s for s in signoffs if s.kind == SignOff.Kind.MANAGEMENT]
    if not management:
        return SignOffState.NONE, []
    latest = max(management, key=lambda s: (s.created_at, s.id))
    if latest.content_sha256 != content_sha256:
        return SignOffState.SUPERSEDED, []
    acknowledgements = [
        s
        for s in signoffs
        if s.kind == SignOff.Kind.STAFF_SIDE
        and (s.created_at, s.id) > (latest.created_at, latest.id)
        and s.content_sha256 == content_sha256
    ]
    if acknowledgements:
        return SignOffState.COMPLETE, [latest, acknowledgements[-1]]
    return SignOffState.MANAGEMENT_ONLY, [latest]


@dataclass
class SectionReadiness:
    section: Section
    responses: list[Response]
    total: int = 0
    applicable: int = 0
    in_place: int = 0
    answered: int = 0
    mandatory_not_in_place: int = 0
    mandatory_unanswered: int = 0
    open_concerns: int = 0
    content_sha256: str = ""
    signoff: SignOffState = SignOffState.NONE
    current_signoffs: list[SignOff] = field(default_factory=list)
    rag: Rag = Rag.AMBER

    @property
    def percent_in_place(self) -> int:
        return round(100 * self.in_place / self.applicable) if self.applicable else 100


@dataclass
class AssessmentReadiness:
    sections: list[SectionReadiness]

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def applicable(self) -> int:
        return sum(s.applicable for s in self.sections)

    @property
    def in_place(self) -> int:
        return sum(s.in_place for s in self.sections)

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)

    @property
    def open_concerns(self) -> int:
        return sum(s.open_concerns for s in self.sections)

    @property
    def mandatory_unanswered(self) -> int:
        return sum(s.mandatory_unanswered for s in self.sections)

    @property
    def percent_in_place(self) -> int:
        return round(100 * self.in_place / self.applicable) if self.applicable else 100

    @property
    def rag(self) -> Rag:
        return rag_rating(
            mandatory_not_in_place=sum(s.mandatory_not_in_place for s in self.sections),
            open_concerns=self.open_concerns,
            all_in_place=all(s.applicable == s.in_place for s in self.sections),
            signed_off=all(s.signoff == SignOffState.COMPLETE for s in self.sections),
        )


def assessment_readiness(
    *,
    sections: Sequence[Section],
    responses: Iterable[Response],
    evidence: dict[int, list[Evidence]],
    open_concerns: dict[int, int],
    signoffs: Iterable[SignOff],
) -> AssessmentReadiness:
    """Readiness of every section from preloaded rows.

    `responses` need `item` loaded; `evidence` maps response id to its current evidence; `open_concerns`
    maps response id to its number of open concerns; `signoffs` are all of the assessment's sign-offs.
    """
    by_section: dict[int, list[Response]] = {s.id: [] for s in sections}
    for response in responses:
        by_section.setdefault(response.item.section_id, []).append(response)
    signoffs_by_section: dict[int | None, list[SignOff]] = {}
    for signoff in signoffs:
        signoffs_by_section.setdefault(signoff.section_id, []).append(signoff)

    results = []
    for section in sections:
        rows = by_section.get(section.id, [])
        result = SectionReadiness(section=section, responses=rows, total=len(rows))
        for r in rows:
            if r.status != Response.Status.NOT_APPLICABLE:
                result.applicable += 1
            if r.status == Response.Status.IN_PLACE:
                result.in_place += 1
            if r.is_answered:
                result.answered += 1
            if r.item.mandatory and r.status == Response.Status.NOT_IN_PLACE:
                result.mandatory_not_in_place += 1
            if r.item.mandatory and not r.is_answered:
                result.mandatory_unanswered += 1
            result.open_concerns += open_concerns.get(r.id, 0)
        result.content_sha256 = section_content_sha256(rows, evidence)
        result.signoff, result.current_signoffs = signoff_state(
            signoffs_by_section.get(section.id, []), result.content_sha256
        )
        result.rag = rag_rating(
            mandatory_not_in_place=result.mandatory_not_in_place,
            open_concerns=result.open_concerns,
            all_in_place=result.in_place == result.applicable,
            signed_off=result.signoff == SignOffState.COMPLETE,
        )
        results.append(result)
    return AssessmentReadiness(sections=results)

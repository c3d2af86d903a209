"""How ready a site is, per section and overall, with the one RAG rule.

Pure functions over facts the caller has loaded (checklists.services.readiness.readiness_facts); the result is
stored on the assessment's Readiness row by checklists.services.readiness, and every page, export and report reads
it from there.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from checklists.models import (
    RAG_RANK,
    Evidence,
    Rag,
    Response,
    Section,
    SectionFigures,
    SignOff,
    SignOffFacts,
    SignOffState,
    percent,
)

RAG_RULE = (
    "Red: a mandatory item is recorded as not in place, or a concern is open. "
    "Green: every applicable item is in place (an item that expects evidence only once it has current evidence, "
    "not removed and not expired) and both the management sign-off and the staff-side acknowledgement are "
    "current. Amber: anything else, that is, work is still outstanding."
)


def rag_rating(*, mandatory_not_in_place: int, open_concerns: int, all_in_place: bool, signed_off: bool) -> Rag:
    """The RAG rule, and the only place it lives (shown on screen and printed in reports as RAG_RULE)."""
    if mandatory_not_in_place or open_concerns:
        return Rag.RED
    if all_in_place and signed_off:
        return Rag.GREEN
    return Rag.AMBER


# --- Stored readiness: facts in, figures out ---------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseFacts:
    """What readiness reads of one response: its answer, its item's rules, its current evidence, its open concerns."""

    response_id: int
    section_id: int
    code: str
    mandatory: bool
    evidence_expected: bool
    status: str
    narrative: str
    not_applicable_reason: str
    owner_id: int | None
    due_date: datetime.date | None
    updated_at: datetime.datetime
    # The SHA-256 (files) or address (links) of each piece of evidence in force: not removed, not expired.
    evidence: tuple[str, ...]
    open_concerns: int

    @property
    def is_answered(self) -> bool:
        return self.status in ANSWERED

    @property
    def lacks_evidence(self) -> bool:
        """The item expects evidence, applies here, and has none current (none, or all removed or expired)."""
        return self.evidence_expected and not self.evidence and self.status != Response.Status.NOT_APPLICABLE

    @property
    def unevidenced(self) -> bool:
        """Recorded as in place, but without the evidence it expects: not in place for the rating, and it blocks a
        submission."""
        return self.status == Response.Status.IN_PLACE and self.lacks_evidence

    @property
    def is_in_place(self) -> bool:
        """In place for the rating: recorded so, with current evidence where the item expects it."""
        return self.status == Response.Status.IN_PLACE and not self.lacks_evidence

    def is_overdue(self, today: datetime.date) -> bool:
        return self.due_date is not None and self.due_date < today and self.status not in DONE


ANSWERED = frozenset({Response.Status.IN_PLACE, Response.Status.NOT_IN_PLACE, Response.Status.NOT_APPLICABLE})
DONE = frozenset({Response.Status.IN_PLACE, Response.Status.NOT_APPLICABLE})


def signoff_facts(signoffs: Sequence[SignOff]) -> SignOffFacts:
    """The facts of one section's sign-off rows (append-only: the latest management sign-off counts)."""
    management = [s for s in signoffs if s.kind == SignOff.Kind.MANAGEMENT]
    if not management:
        return SignOffFacts()
    latest = max(management, key=lambda s: (s.created_at, s.id))
    acknowledgements = [
        s
        for s in signoffs
        if s.kind == SignOff.Kind.STAFF_SIDE
        and (s.created_at, s.id) > (latest.created_at, latest.id)
        and s.content_sha256 == latest.content_sha256
    ]
    return SignOffFacts(
        management_id=latest.id,
        management_sha256=latest.content_sha256,
        acknowledgement_id=acknowledgements[-1].id if acknowledgements else None,
    )


def long_date(day: datetime.date) -> str:
    """A date as the pages write it: "31 March 2026"."""
    return f"{day.day} {day:%B %Y}"


def in_force(evidence: Iterable[Evidence], today: datetime.date) -> list[Evidence]:
    """The evidence that counts on `today`: not removed, and not past its valid-until date."""
    return [e for e in evidence if e.removed_at is None and not e.is_expired(today)]


def section_content_sha256(
    responses: Iterable[Response], evidence: dict[int, list[Evidence]], *, today: datetime.date
) -> str:
    """content_sha256 of response rows held in memory (`item` loaded) and their evidence by response id (only the
    evidence in force on `today` counts, as in readiness_facts)."""
    return content_sha256(
        ResponseFacts(
            response_id=r.id,
            section_id=r.item.section_id,
            code=r.item.code,
            mandatory=r.item.mandatory,
            evidence_expected=r.item.evidence_expected,
            status=r.status,
            narrative=r.narrative,
            not_applicable_reason=r.not_applicable_reason,
            owner_id=r.owner_id,
            due_date=r.due_date,
            updated_at=r.updated_at,
            evidence=tuple(e.sha256 or e.url for e in in_force(evidence.get(r.id, []), today)),
            open_concerns=0,
        )
        for r in responses
    )


def content_sha256(facts: Iterable[ResponseFacts]) -> str:
    """SHA-256 of the canonical content a section sign-off covers: its answers and their evidence in force (evidence
    removed or expired drops out, so either supersedes the sign-off)."""
    canonical = [
        {
            "item": f.code,
            "status": f.status,
            "narrative": f.narrative,
            "not_applicable_reason": f.not_applicable_reason,
            "owner": f.owner_id,
            "due_date": f.due_date.isoformat() if f.due_date else None,
            "evidence": sorted(f.evidence),
        }
        for f in sorted(facts, key=lambda f: f.code)
    ]
    payload = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def signoff_state_of(signoffs: SignOffFacts, content: str) -> SignOffState:
    if signoffs.management_id is None:
        return SignOffState.NONE
    if signoffs.management_sha256 != content:
        return SignOffState.SUPERSEDED
    return SignOffState.COMPLETE if signoffs.acknowledgement_id is not None else SignOffState.MANAGEMENT_ONLY


def section_figures(
    section: Section, facts: Sequence[ResponseFacts], signoffs: SignOffFacts, *, today: datetime.date
) -> SectionFigures:
    """Readiness of one section from its responses' facts and its sign-offs: the one computation."""
    figures = SectionFigures(
        section_id=section.id, code=section.code, title=section.title, position=section.position, total=len(facts)
    )
    for f in facts:
        figures.applicable += f.status != Response.Status.NOT_APPLICABLE
        figures.in_place += f.is_in_place
        figures.answered += f.is_answered
        figures.mandatory_not_in_place += f.mandatory and f.status == Response.Status.NOT_IN_PLACE
        figures.mandatory_unanswered += f.mandatory and not f.is_answered
        figures.open_concerns += f.open_concerns
        figures.evidence_missing += f.lacks_evidence
        figures.unevidenced += f.unevidenced
        figures.overdue += f.is_overdue(today)
    figures.last_change = max((f.updated_at for f in facts), default=None)
    figures.content_sha256 = content_sha256(facts)
    figures.management_id, figures.management_sha256 = signoffs.management_id, signoffs.management_sha256
    figures.acknowledgement_id = signoffs.acknowledgement_id
    figures.signoff = signoff_state_of(signoffs, figures.content_sha256)
    figures.rag = rag_rating(
        mandatory_not_in_place=figures.mandatory_not_in_place,
        open_concerns=figures.open_concerns,
        all_in_place=figures.in_place == figures.applicable,
        signed_off=figures.signoff == SignOffState.COMPLETE,
    )
    return figures


SUMMED = (
    "total",
    "applicable",
    "in_place",
    "answered",
    "mandatory_not_in_place",
    "mandatory_unanswered",
    "open_concerns",
    "evidence_missing",
    "unevidenced",
    "overdue",
)


def overall_figures(sections: Sequence[SectionFigures], *, changed_at: datetime.datetime) -> dict:
    """The assessment's overall readiness from its sections, as Readiness field values (the same rule, summed);
    `changed_at` is when the assessment itself last changed state."""
    values = {name: sum(getattr(s, name) for s in sections) for name in SUMMED}
    rag = rag_rating(
        mandatory_not_in_place=values["mandatory_not_in_place"],
        open_concerns=values["open_concerns"],
        all_in_place=all(s.in_place == s.applicable for s in sections),
        signed_off=all(s.signoff == SignOffState.COMPLETE for s in sections),
    )
    changes = [s.last_change for s in sections if s.last_change] + [changed_at]
    return values | {
        "percent_in_place": percent(values["in_place"], values["applicable"]),
        "sections_signed": sum(s.signoff == SignOffState.COMPLETE for s in sections),
        "section_count": len(sections),
        "rag": rag,
        "rag_rank": RAG_RANK[rag.value],
        "sections": [s.as_json() for s in sections],
        "last_change": max(changes),
    }

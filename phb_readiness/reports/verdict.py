"""What page one of a site report says: the verdict in words, what would change it, the review history in brief,
and every open point in one list, most blocking first.

Pure functions over what the report has already read. The verdict follows the app's own rule: the submit blockers
(checklists.selectors.review.submit_blockers: mandatory items unanswered, open concerns, sections not signed by both
sides, from the stored readiness) decide whether an assessment can go forward, and a reviewer accepts only a submitted
assessment with no open concern.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.timezone import localtime

from checklists.models import Assessment, Response, ReviewEvent, ReviewQuery, SectionFigures, SignOffState
from checklists.selectors.review import Blocker

# The mark printed on every page of a report whose assessment the SPF has not accepted.
MARKS = {
    Assessment.State.DRAFT: "DRAFT: not accepted by the SPF",
    Assessment.State.SUBMITTED: "DRAFT: submitted, not yet accepted by the SPF",
    Assessment.State.RETURNED: "RETURNED: not accepted by the SPF",
}
DONE = (Response.Status.IN_PLACE, Response.Status.NOT_APPLICABLE)

# How much an open point blocks: the order of the outstanding actions.
MANDATORY, CONCERN, SIGNOFF, EVIDENCE, OVERDUE, OTHER = range(6)


def long_date(when: datetime.datetime) -> str:
    when = localtime(when)
    return f"{when.day} {when:%B %Y}"


def count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@dataclass(frozen=True)
class Change:
    """One thing that would change the verdict or the rating, with where in the report to read about it."""

    text: str
    anchor: str
    blocks: bool
    refs: tuple[tuple[str, str], ...] = ()  # (item code, anchor) of each item concerned


@dataclass(frozen=True)
class Verdict:
    ready: bool
    sentence: str
    mark: str  # "" once accepted
    changes: list[Change] = field(default_factory=list)

    @property
    def watermark(self) -> str:
        return self.mark.split(":", 1)[0]


@dataclass(frozen=True)
class Step:
    when: datetime.datetime
    text: str
    details: tuple[str, ...] = ()  # a return's item queries, each with its answer and state


@dataclass
class Action:
    """An open point of one item (or one section's sign-off): what is missing, whose it is, by when."""

    ref: str
    anchor: str
    title: str
    missing: list[str]
    rank: int
    owner: str = ""
    due_date: datetime.date | None = None
    overdue: bool = False
    position: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class ItemFacts:
    """What the verdict reads of one item of the report."""

    response: Response
    evidence: int
    open_concerns: int
    section_position: int


def item_anchor(code: str) -> str:
    return f"item-{code}"


def section_anchor(code: str) -> str:
    return f"section-{code}"


def lacks_evidence(f: ItemFacts) -> bool:
    """The readiness rule's: the item expects evidence, applies here, and has none current."""
    r = f.response
    return r.item.evidence_expected and not f.evidence and r.status != Response.Status.NOT_APPLICABLE


def is_overdue(response: Response, today: datetime.date) -> bool:
    return response.due_date is not None and response.due_date < today and response.status not in DONE


def _refs(facts: Iterable[ItemFacts]) -> tuple[tuple[str, str], ...]:
    return tuple((f.response.item.code, item_anchor(f.response.item.code)) for f in facts)


def _sections_text(sections: Sequence[SectionFigures]) -> str:
    if len(sections) == 1:
        s = sections[0]
        return f"section {s.code} {s.title} is not signed by both sides"
    return f"{len(sections)} sections are not signed by both sides"


def site_verdict(
    *,
    assessment: Assessment,
    sections: Sequence[SectionFigures],
    blockers: Sequence[Blocker],
    items: Sequence[ItemFacts],
    today: datetime.date,
) -> Verdict:
    """The verdict in one sentence and what would change it, from the submit blockers and the report's items."""
    unsigned_codes = {b.section_code for b in blockers if b.kind == "signoff"}
    unsigned = [s for s in sections if s.code in unsigned_codes]
    unanswered_codes = {b.item_code for b in blockers if b.kind == "item"}
    unanswered = [f for f in items if f.response.item.code in unanswered_codes]
    concerns = [f for f in items if f.open_concerns]
    n_concerns = sum(f.open_concerns for f in concerns)
    unevidenced_codes = {b.item_code for b in blockers if b.kind == "evidence"}
    unevidenced = [f for f in items if f.response.item.code in unevidenced_codes]
    queries = [b for b in blockers if b.kind == "query"]

    reasons = []
    if unsigned:
        reasons.append(_sections_text(unsigned))
    if unanswered:
        reasons.append(f"{count(len(unanswered), 'mandatory item has', 'mandatory items have')} no answer")
    if unevidenced:
        reasons.append(f"{count(len(unevidenced), 'item in place has', 'items in place have')} no current evidence")
    if n_concerns:
        reasons.append(f"{count(n_concerns, 'concern is', 'concerns are')} open")
    if queries:
        reasons.append(f"{count(len(queries), 'query of the reviewer has', 'queries of the reviewer have')} no answer")

    state = assessment.state
    if state == Assessment.State.ACCEPTED:
        when = f" on {long_date(assessment.reviewed_at)}" if assessment.reviewed_at else ""
        sentence, ready = f"Accepted by the SPF{when}.", True
    elif reasons:
        sentence, ready = f"Not ready to accept: {_joined(reasons)}.", False
    elif state == Assessment.State.SUBMITTED:
        sentence, ready = (
            "Ready to accept: every section is signed by both sides, every mandatory item is answered, every "
            "item in place has the evidence it expects and no concern is open.",
            True,
        )
    else:
        sentence, ready = (
            "Not ready to accept: the site has not submitted it for review (nothing stops it from submitting).",
            False,
        )

    changes = [Change(f"{s.code} {s.title}: {s.signoff.label.lower()}", section_anchor(s.code), True) for s in unsigned]
    if unanswered:
        text = f"{count(len(unanswered), 'mandatory item has', 'mandatory items have')} no answer"
        changes.append(Change(text, "actions", True, _refs(unanswered)))
    if unevidenced:
        text = count(len(unevidenced), "item in place has", "items in place have") + " evidence missing or expired"
        changes.append(Change(text, "actions", True, _refs(unevidenced)))
    if concerns:
        changes.append(Change(count(n_concerns, "open concern", "open concerns"), "actions", True, _refs(concerns)))
    if queries:
        text = count(len(queries), "query of the reviewer has", "queries of the reviewer have") + " no answer"
        refs = tuple((b.item_code, item_anchor(b.item_code)) for b in queries)
        changes.append(Change(text, "actions", True, refs))
    not_in_place = [f for f in items if f.response.item.mandatory and f.response.status == Response.Status.NOT_IN_PLACE]
    if not_in_place:
        text = f"{count(len(not_in_place), 'mandatory item is', 'mandatory items are')} recorded as not in place"
        changes.append(Change(f"{text} (the rating is red)", "actions", False, _refs(not_in_place)))
    # items that expect evidence but are not recorded in place yet: evidence to gather, not yet a blocker
    missing = [f for f in items if lacks_evidence(f) and f.response.item.code not in unevidenced_codes]
    if missing:
        text = count(len(missing), "item expects evidence and has none", "items expect evidence and have none")
        changes.append(Change(text, "actions", False, _refs(missing)))
    overdue = [f for f in items if is_overdue(f.response, today)]
    if overdue:
        text = count(len(overdue), "item is past its due date", "items are past their due date")
        changes.append(Change(text, "actions", False, _refs(overdue)))
    return Verdict(ready=ready, sentence=sentence, mark=MARKS.get(state, ""), changes=changes)


def _joined(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "the reviewer"


def _query_line(q: ReviewQuery) -> str:
    line = f"Query on {q.response.item.code}: {q.question}"
    if q.answer:
        line += f" Answer: {q.answer}"
    return f"{line} ({q.get_state_display().lower()})"


def review_history(
    assessment: Assessment, *, events: Sequence[ReviewEvent] = (), queries: Sequence[ReviewQuery] = ()
) -> list[Step]:
    """Every review step the assessment records, in order: started, then each submission, return (with its reasons
    and item queries), resubmission, override and acceptance, from its review history records (`events`, their
    people loaded; `queries` with their items). An assessment reviewed before those records were kept falls back to
    its own dates and latest return reasons."""
    a = assessment
    steps = [Step(a.created_at, "Started")]
    if not events:
        reviewer = _name(a.reviewed_by)
        if a.submitted_at:
            resubmitted = a.reviewed_at and a.return_reasons and a.reviewed_at < a.submitted_at
            steps.append(Step(a.submitted_at, "Submitted again for review" if resubmitted else "Submitted for review"))
        if a.reviewed_at and a.state == Assessment.State.ACCEPTED:
            steps.append(Step(a.reviewed_at, f"Accepted by {reviewer}"))
        elif a.reviewed_at and a.return_reasons:
            steps.append(Step(a.reviewed_at, f"Returned by {reviewer}, with reasons: {a.return_reasons}"))
        return sorted(steps, key=lambda s: s.when)
    by_return: dict[int, list[ReviewQuery]] = {}
    for q in queries:
        by_return.setdefault(q.return_event_id, []).append(q)
    for e in events:
        who = _name(e.by)
        if e.kind == ReviewEvent.Kind.SUBMITTED:
            steps.append(Step(e.at, "Submitted for review"))
        elif e.kind == ReviewEvent.Kind.RESUBMITTED:
            steps.append(Step(e.at, "Submitted again for review"))
        elif e.kind == ReviewEvent.Kind.RETURNED:
            asked = by_return.get(e.pk, [])
            steps.append(
                Step(
                    e.at,
                    f"Returned by {who}, with reasons: {e.reasons}",
                    tuple(_query_line(q) for q in asked),
                )
            )
        elif e.kind == ReviewEvent.Kind.OVERRIDE:
            steps.append(Step(e.at, f"Accepted over a {e.rag.upper()} rating by {who}, with reasons: {e.reasons}"))
        else:
            steps.append(Step(e.at, f"Accepted by {who}" + (f": {e.reasons}" if e.reasons else "")))
    return steps  # the records are in order; "Started" comes first


def outstanding_actions(
    *, items: Sequence[ItemFacts], sections: Sequence[SectionFigures], today: datetime.date
) -> list[Action]:
    """Every open point, one row per item (and per section awaiting a sign-off), most blocking first: mandatory
    items not in place, open concerns, sign-offs, evidence missing, overdue, the rest. An item not applicable has
    nothing outstanding unless a concern on it is open."""
    actions = []
    for f in items:
        r = f.response
        missing: list[tuple[int, str]] = []
        if r.item.mandatory and r.status not in DONE:
            what = "recorded as not in place" if r.status == Response.Status.NOT_IN_PLACE else "no answer yet"
            missing.append((MANDATORY, f"Mandatory, {what} ({r.get_status_display().lower()})"))
        if f.open_concerns:
            missing.append((CONCERN, count(f.open_concerns, "open concern", "open concerns")))
        if lacks_evidence(f):
            missing.append((EVIDENCE, "Evidence expected, none attached"))
        overdue = is_overdue(r, today)
        if overdue:
            missing.append((OVERDUE, "Past its due date"))
        if r.status not in DONE and not r.item.mandatory:
            missing.append((OTHER, f"Not yet in place ({r.get_status_display().lower()})"))
        if missing:
            owner = (r.owner.get_full_name() or r.owner.get_username()) if r.owner else ""
            actions.append(
                Action(
                    ref=r.item.code,
                    anchor=item_anchor(r.item.code),
                    title=r.item.question,
                    missing=[text for _rank, text in sorted(missing)],
                    rank=min(rank for rank, _text in missing),
                    owner=owner,
                    due_date=r.due_date,
                    overdue=overdue,
                    position=(f.section_position, r.item.position),
                )
            )
    for s in sections:
        if s.signoff == SignOffState.COMPLETE:
            continue
        if s.signoff == SignOffState.MANAGEMENT_ONLY:
            what, owner = "Staff-side acknowledgement of the management sign-off", "Union rep (staff side)"
        elif s.signoff == SignOffState.SUPERSEDED:
            what, owner = "Sign-off again: answers changed since it was signed", "Pilot manager, then union rep"
        else:
            what, owner = "Management sign-off, then staff-side acknowledgement", "Pilot manager, then union rep"
        actions.append(
            Action(
                ref=s.code,
                anchor=section_anchor(s.code),
                title=f"Section: {s.title}",
                missing=[what],
                rank=SIGNOFF,
                owner=owner,
                position=(s.position, 0),
            )
        )
    return sorted(actions, key=lambda a: (a.rank, a.position))

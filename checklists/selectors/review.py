"""Reads of submission and review: what keeps an assessment from being submitted, its review history, item
queries and what changed since it was returned, and what waits for a person's answer or review."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from checklists.models import (
    Assessment,
    Comment,
    Evidence,
    Readiness,
    Response,
    ReviewEvent,
    ReviewQuery,
    SignOffState,
)
from checklists.rules.readiness import ANSWERED
from checklists.rules.review import ItemChanges, snapshot_changes
from checklists.selectors.readiness import readiness_for
from phb_readiness.sites.models import Membership, PilotSite, ReviewerScope, reviewer_scope_of


@dataclass(frozen=True)
class Blocker:
    """One thing that keeps an assessment from being submitted, with where to fix it."""

    kind: str  # "item", "evidence", "concern", "signoff" or "query"
    message: str
    item_code: str = ""
    section_code: str = ""


def submit_blockers(*, assessment: Assessment, readiness: Readiness | None = None) -> list[Blocker]:
    """Mandatory items unanswered, items in place without the evidence they expect (missing or expired), open concerns
    and sections without a current two-party sign-off, from the stored
    readiness (read here unless given); the items behind its counts are read only when there are any (one query)."""
    readiness = readiness or readiness_for(assessment)
    blockers: list[Blocker] = []
    if assessment.state == Assessment.State.RETURNED:  # only a returned assessment has queries to answer (one query)
        for query in unanswered_queries(assessment):
            code = query.response.item.code
            blockers.append(Blocker("query", f"{code}: the reviewer's query has no answer yet", item_code=code))
    items: list[Response] = []
    if readiness.mandatory_unanswered or readiness.open_concerns or readiness.unevidenced:
        # Evidence counts on the day the readiness was counted (evidence expires with the date, like items fall due).
        in_force = Evidence.objects.in_force(readiness.as_of or timezone.localdate()).filter(response=OuterRef("pk"))
        items = list(
            Response.objects.filter(assessment=assessment)
            .annotate(
                open_concerns=Count("comments", filter=Q(comments__in=Comment.objects.open_concerns())),
                unevidenced=ExpressionWrapper(
                    Q(status=Response.Status.IN_PLACE, item__evidence_expected=True) & ~Exists(in_force),
                    output_field=BooleanField(),
                ),
            )
            .filter(Q(item__mandatory=True) & ~Q(status__in=ANSWERED) | Q(open_concerns__gt=0) | Q(unevidenced=True))
            .select_related("item")
            .order_by("item__section__position", "item__position")
        )
    for section in readiness.section_figures:
        for r in (r for r in items if r.item.section_id == section.section_id):
            if r.item.mandatory and r.status not in ANSWERED:
                blockers.append(
                    Blocker(
                        "item",
                        f"{r.item.code} is mandatory and has no answer yet ({r.get_status_display().lower()})",
                        item_code=r.item.code,
                        section_code=section.code,
                    )
                )
            if r.unevidenced:
                blockers.append(
                    Blocker(
                        "evidence",
                        f"{r.item.code} is recorded as in place but its evidence is missing or has expired",
                        item_code=r.item.code,
                        section_code=section.code,
                    )
                )
            if r.open_concerns:
                n = r.open_concerns
                blockers.append(
                    Blocker(
                        "concern",
                        f"{r.item.code} has {n} open concern{'s' if n != 1 else ''}",
                        item_code=r.item.code,
                        section_code=section.code,
                    )
                )
        if section.signoff != SignOffState.COMPLETE:
            blockers.append(
                Blocker("signoff", f"{section.title}: {section.signoff.label.lower()}", section_code=section.code)
            )
    return blockers


def accept_refusals(assessment: Assessment) -> list[str]:
    """Why the assessment cannot be accepted now, if anything: not in review, open concerns (from its stored
    readiness), item queries not resolved (one query). A RED rating is not among them: a reviewer may override it."""
    if assessment.state != Assessment.State.SUBMITTED:
        return ["This assessment is not awaiting review."]
    refusals = []
    open_concerns = assessment.readiness.open_concerns
    if open_concerns:
        refusals.append(f"There are {open_concerns} open concern(s): close them or return the assessment.")
    unresolved = ReviewQuery.objects.filter(
        assessment=assessment, state__in=(ReviewQuery.State.OPEN, ReviewQuery.State.ANSWERED)
    ).count()
    if unresolved:
        refusals.append(
            f"{unresolved} item quer{'y is' if unresolved == 1 else 'ies are'} not resolved: resolve "
            f"{'it' if unresolved == 1 else 'them'} or return the assessment."
        )
    return refusals


def unanswered_queries(assessment: Assessment) -> list[ReviewQuery]:
    """The reviewer's item queries still waiting for the site's answer, in the framework's order (one query)."""
    return list(
        ReviewQuery.objects.filter(assessment=assessment, state=ReviewQuery.State.OPEN)
        .select_related("response__item")
        .order_by("response__item__section__position", "response__item__position", "asked_at")
    )


def answers_snapshot(assessment: Assessment) -> dict[str, dict]:
    """Every answer's status, narrative, owner, due date and current evidence, keyed by item id (two queries): what a
    return records, and what "changed since the return" compares it with."""
    responses = (
        Response.objects.filter(assessment=assessment)
        .select_related("item", "owner")
        .only(
            "id",
            "status",
            "narrative",
            "owner_id",
            "due_date",
            "item__id",
            "item__code",
            "item__position",
            "item__section_id",
            "owner__id",
            "owner__username",
            "owner__first_name",
            "owner__last_name",
        )
        .order_by("item__section__position", "item__position")
    )
    evidence: dict[int, list] = {}
    for response_id, ev_id, title in (
        Evidence.objects.current().filter(response__assessment=assessment).values_list("response_id", "id", "title")
    ):
        evidence.setdefault(response_id, []).append([ev_id, title])
    return {
        str(r.item_id): {
            "code": r.item.code,
            "status": r.status,
            "narrative": r.narrative,
            "owner": r.owner_id,
            "owner_name": (r.owner.get_full_name() or r.owner.get_username()) if r.owner else "",
            "due_date": r.due_date.isoformat() if r.due_date else None,
            "evidence": evidence.get(r.id, []),
        }
        for r in responses
    }


@dataclass
class QueriedItem:
    """One item the reviewer asked about: its queries, oldest first, and what changed in it since the last return."""

    code: str
    question: str
    queries: list[ReviewQuery]
    changes: ItemChanges | None = None

    @property
    def open(self) -> bool:
        return any(q.state != ReviewQuery.State.RESOLVED for q in self.queries)


@dataclass
class ReviewPage:
    events: list[ReviewEvent]
    queried: list[QueriedItem]
    last_return: ReviewEvent | None = None
    changes: list[ItemChanges] = field(default_factory=list)  # every item changed since the last return

    @property
    def unresolved(self) -> int:
        return sum(q.state != ReviewQuery.State.RESOLVED for item in self.queried for q in item.queries)

    @property
    def last_review(self) -> ReviewEvent | None:
        """The latest return or acceptance (its reviewer loaded)."""
        outcomes = (ReviewEvent.Kind.RETURNED, ReviewEvent.Kind.ACCEPTED)
        return next((e for e in reversed(self.events) if e.kind in outcomes), None)

    @property
    def acceptance(self) -> ReviewEvent | None:
        return next((e for e in reversed(self.events) if e.kind == ReviewEvent.Kind.ACCEPTED), None)


def review_page(assessment: Assessment) -> ReviewPage:
    """The review page's history, queries and changes: the events (one query), the queries with their items and
    people (one query) and, once the assessment has been returned, its answers now (two queries), whatever the
    number of items."""
    events = list(ReviewEvent.objects.filter(assessment=assessment).select_related("by"))
    queries = list(
        ReviewQuery.objects.filter(assessment=assessment)
        .select_related("response__item", "asked_by", "answered_by", "resolved_by")
        .order_by("response__item__section__position", "response__item__position", "asked_at", "id")
    )
    last_return = next((e for e in reversed(events) if e.kind == ReviewEvent.Kind.RETURNED), None)
    changes = snapshot_changes(last_return.snapshot, answers_snapshot(assessment)) if last_return else []
    by_item = {c.item_id: c for c in changes}
    queried: dict[int, QueriedItem] = {}
    for q in queries:
        item = q.response.item
        entry = queried.setdefault(item.id, QueriedItem(item.code, item.question, [], by_item.get(item.id)))
        entry.queries.append(q)
    return ReviewPage(events=events, queried=list(queried.values()), last_return=last_return, changes=changes)


def queries_for_response(*, assessment: Assessment, response: Response) -> list[ReviewQuery]:
    """The reviewer's queries on one item, oldest first, with the people who asked, answered and resolved them (one
    query; none while the assessment is a draft, which no reviewer has seen)."""
    if assessment.state == Assessment.State.DRAFT:
        return []
    return list(ReviewQuery.objects.filter(response=response).select_related("asked_by", "answered_by", "resolved_by"))


def queries_to_answer(user) -> list[ReviewQuery]:
    """Open item queries on returned assessments at the sites where the person is a pilot manager, with their items
    and sites (one query): what the home page asks them to answer."""
    managed = Membership.objects.filter(user=user, role=Membership.Role.MANAGER).values("site_id")
    return list(
        ReviewQuery.objects.filter(
            state=ReviewQuery.State.OPEN,
            assessment__state=Assessment.State.RETURNED,
            assessment__site_id__in=managed,
        )
        .select_related("response__item", "assessment__site")
        .order_by("assessment__site__name", "response__item__section__position", "response__item__position")
    )


def resubmissions_with_answers(user) -> list[Assessment]:
    """Submitted assessments the person may review with answered queries awaiting their resolution, each with
    `answered_queries` counted, oldest submission first (one query; none for anyone who is not a reviewer)."""
    scope = reviewer_scope_of(user)
    if not getattr(user, "is_active", False) or scope is None or scope.role != ReviewerScope.Role.REVIEWER:
        return []
    answered = ReviewQuery.objects.filter(assessment=OuterRef("pk"), state=ReviewQuery.State.ANSWERED)
    return list(
        Assessment.objects.filter(site__in=PilotSite.objects.visible_to(user), state=Assessment.State.SUBMITTED)
        .filter(Exists(answered))
        .annotate(answered_queries=Count("review_queries", filter=Q(review_queries__state=ReviewQuery.State.ANSWERED)))
        .select_related("site")
        .order_by("submitted_at", "pk")
    )

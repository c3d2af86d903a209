"""Reads of submission and review: what keeps an assessment from being submitted."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from checklists.models import Assessment, Comment, Readiness, Response, SignOffState
from checklists.rules.readiness import ANSWERED
from checklists.selectors.readiness import readiness_for


@dataclass(frozen=True)
class Blocker:
    """One thing that keeps an assessment from being submitted, with where to fix it."""

    kind: str  # "item", "concern" or "signoff"
    message: str
    item_code: str = ""
    section_code: str = ""


def submit_blockers(*, assessment: Assessment, readiness: Readiness | None = None) -> list[Blocker]:
    """Mandatory items unanswered, open concerns and sections without a current two-party sign-off, from the stored
    readiness (read here unless given); the items behind its counts are read only when there are any (one query)."""
    readiness = readiness or readiness_for(assessment)
    items: list[Response] = []
    if readiness.mandatory_unanswered or readiness.open_concerns:
        items = list(
            Response.objects.filter(assessment=assessment)
            .annotate(open_concerns=Count("comments", filter=Q(comments__in=Comment.objects.open_concerns())))
            .filter(Q(item__mandatory=True) & ~Q(status__in=ANSWERED) | Q(open_concerns__gt=0))
            .select_related("item")
            .order_by("item__section__position", "item__position")
        )
    blockers: list[Blocker] = []
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

"""Reads of submission and review: what keeps an assessment from being submitted."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from checklists.models import Assessment, Comment
from checklists.readiness import AssessmentReadiness, SignOffState
from checklists.selectors.readiness import readiness_for


@dataclass(frozen=True)
class Blocker:
    """One thing that keeps an assessment from being submitted, with where to fix it."""

    kind: str  # "item", "concern" or "signoff"
    message: str
    item_code: str = ""
    section_code: str = ""


def submit_blockers(*, assessment: Assessment, readiness: AssessmentReadiness | None = None) -> list[Blocker]:
    """Mandatory items unanswered, open concerns and sections without a current two-party sign-off."""
    readiness = readiness or readiness_for(assessment)
    concern_counts = dict(
        Comment.objects.open_concerns()
        .filter(response__assessment=assessment)
        .values("response_id")
        .annotate(n=Count("id"))
        .values_list("response_id", "n")
    )
    blockers: list[Blocker] = []
    for section in readiness.sections:
        code = section.section.code
        for r in section.responses:
            if r.item.mandatory and not r.is_answered:
                blockers.append(
                    Blocker(
                        "item",
                        f"{r.item.code} is mandatory and has no answer yet ({r.get_status_display().lower()})",
                        item_code=r.item.code,
                        section_code=code,
                    )
                )
            if concern_counts.get(r.id):
                n = concern_counts[r.id]
                blockers.append(
                    Blocker(
                        "concern",
                        f"{r.item.code} has {n} open concern{'s' if n != 1 else ''}",
                        item_code=r.item.code,
                        section_code=code,
                    )
                )
        if section.signoff != SignOffState.COMPLETE:
            blockers.append(
                Blocker("signoff", f"{section.section.title}: {section.signoff.label.lower()}", section_code=code)
            )
    return blockers

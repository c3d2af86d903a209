"""Reads of a person's sites: the sites they work on, and how far each assessment has got."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from checklists.models import Assessment, Response
from phb_readiness.sites.models import Membership, PilotSite, reviewer_scope_of


def home_for(*, user) -> dict:
    """The sites a person works on (with their role and assessments) and whether they review."""
    memberships = {m.site_id: m for m in Membership.objects.filter(user=user).only("site_id", "role")}
    scope = reviewer_scope_of(user)
    sites = (
        PilotSite.objects.visible_to(user)
        .filter(id__in=list(memberships))
        .select_related("region")
        .prefetch_related(
            Prefetch(
                "assessments",
                queryset=Assessment.objects.select_related("framework").order_by("-created_at"),
            )
        )
    )
    rows = [{"site": site, "membership": memberships[site.id]} for site in sites]
    return {"site_rows": rows, "reviewer_scope": scope, "is_admin": user.is_superuser}


@dataclass(frozen=True)
class Progress:
    total: int
    applicable: int
    in_place: int
    answered: int

    @property
    def percent_in_place(self) -> int:
        return round(100 * self.in_place / self.applicable) if self.applicable else 100


def assessment_progress(*, assessment_ids: list[int]) -> dict[int, Progress]:
    """Items in place and answered per assessment, in one query (for lists of assessments)."""
    answered = [Response.Status.IN_PLACE, Response.Status.NOT_IN_PLACE, Response.Status.NOT_APPLICABLE]
    rows = (
        Response.objects.filter(assessment_id__in=assessment_ids)
        .values("assessment_id")
        .annotate(
            total=Count("id"),
            applicable=Count("id", filter=~Q(status=Response.Status.NOT_APPLICABLE)),
            in_place=Count("id", filter=Q(status=Response.Status.IN_PLACE)),
            answered=Count("id", filter=Q(status__in=answered)),
        )
    )
    return {row.pop("assessment_id"): Progress(**row) for row in rows}

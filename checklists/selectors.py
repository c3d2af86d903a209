"""Reads: what a person may see, shaped for pages. Every site query starts at PilotSite.objects.visible_to."""

from __future__ import annotations

from django.db.models import Prefetch

from checklists.models import Assessment
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


def readiness_for(assessment: Assessment):
    """Readiness of an assessment's sections, in a fixed number of queries whatever its size."""
    from django.db.models import Count, Q

    from checklists.models import Comment, Evidence, Response, Section, SignOff
    from checklists.readiness import assessment_readiness

    sections = list(Section.objects.filter(framework_id=assessment.framework_id).order_by("position"))
    responses = list(Response.objects.filter(assessment=assessment).select_related("item").order_by("item__position"))
    evidence: dict[int, list[Evidence]] = {}
    for ev in (
        Evidence.objects.current()
        .filter(response__assessment=assessment)
        .only("id", "response_id", "sha256", "url", "kind", "title")
    ):
        evidence.setdefault(ev.response_id, []).append(ev)
    open_concerns = dict(
        Comment.objects.open_concerns()
        .filter(response__assessment=assessment)
        .values("response_id")
        .annotate(n=Count("id", filter=Q(is_concern=True)))
        .values_list("response_id", "n")
    )
    signoffs = list(SignOff.objects.filter(assessment=assessment).select_related("signed_by"))
    return assessment_readiness(
        sections=sections,
        responses=responses,
        evidence=evidence,
        open_concerns=open_concerns,
        signoffs=signoffs,
    )

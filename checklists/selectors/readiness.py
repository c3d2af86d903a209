"""Reads of readiness: an assessment's sections rated from its rows, in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Q

from checklists.models import Assessment, Comment, Evidence, Response, Section, SignOff
from checklists.readiness import SectionReadiness, assessment_readiness


def readiness_for(assessment: Assessment):
    """Readiness of an assessment's sections, in a fixed number of queries whatever its size."""
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


def section_readiness(assessment: Assessment, section: Section) -> SectionReadiness:
    """The readiness of one section of an assessment."""
    return next(s for s in readiness_for(assessment).sections if s.section.pk == section.pk)

"""Reads of sign-offs: the register of an assessment's sign-offs, each current or superseded."""

from __future__ import annotations

from dataclasses import dataclass

from checklists.models import Assessment, Readiness, SectionFigures, SignOff, SignOffState
from checklists.rules.review import assessment_content_sha256


@dataclass
class RegisterRow:
    signoff: SignOff
    status: str  # current, superseded
    reason: str = ""


@dataclass
class Register:
    readiness: Readiness
    rows: list[RegisterRow]


def register_for(assessment: Assessment) -> Register:
    """Every sign-off of an assessment (its stored readiness loaded), newest first, each marked current or superseded
    against the stored figures."""
    readiness = assessment.readiness
    by_section = {s.section_id: s for s in readiness.section_figures}
    overall = assessment_content_sha256(readiness.section_figures)
    rows = []
    signoffs = SignOff.objects.filter(assessment=assessment).select_related("signed_by", "section")
    for signoff in signoffs.order_by("-created_at", "-id"):
        if signoff.section_id is None:
            current = signoff.content_sha256 == overall and assessment.state == Assessment.State.ACCEPTED
            reason = "" if current else "The assessment changed after it was accepted."
        else:
            section = by_section.get(signoff.section_id)
            current = section is not None and signoff.pk in section.current_signoff_ids
            if current:
                reason = ""
            elif section is not None and signoff.content_sha256 != section.content_sha256:
                reason = "The section's content changed after this was signed."
            else:
                reason = "A later sign-off of the same section replaced it."
        rows.append(RegisterRow(signoff=signoff, status="current" if current else "superseded", reason=reason))
    return Register(readiness=readiness, rows=rows)


def signed_section(assessment: Assessment, section_id: int) -> SectionFigures | None:
    """The section's stored figures (no query: the assessment's readiness is loaded) while a current sign-off covers
    it, by management alone or by both sides: a change to its answers or evidence would supersede that sign-off."""
    for figures in assessment.readiness.section_figures:
        if figures.section_id == section_id:
            return figures if figures.signoff in (SignOffState.MANAGEMENT_ONLY, SignOffState.COMPLETE) else None
    return None

"""Reads of stored readiness: an assessment's Readiness row and one section's figures on it.

Pages read the row with the assessment (`get_assessment_for` selects it); these read it afresh, for callers that
hold an assessment from before a change.
"""

from __future__ import annotations

from checklists.models import Assessment, Readiness, Section, SectionFigures


def readiness_for(assessment: Assessment) -> Readiness:
    """The assessment's stored readiness, as it is now."""
    return Readiness.objects.get(pk=assessment.pk)


def section_readiness(assessment: Assessment, section: Section) -> SectionFigures:
    """One section's stored figures, as they are now."""
    return next(s for s in readiness_for(assessment).section_figures if s.section_id == section.pk)

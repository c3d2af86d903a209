"""Writes of review outcomes: a reviewer returns a submitted assessment with reasons, or accepts it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from checklists.models import Assessment, SignOff
from checklists.rules.access import Need, can
from checklists.rules.answers import BODY_MAX
from checklists.rules.review import assessment_content_sha256
from checklists.services import notifications
from checklists.services.checks import allow, clean_text, require
from checklists.services.readiness import assessment_locked, change_record
from phb_readiness.audit.services import audit_event
from phb_readiness.sites.models import SiteRole


def _lock_submitted(assessment: Assessment) -> Assessment:
    locked = assessment_locked(assessment.pk)
    require(locked.state == Assessment.State.SUBMITTED, "This assessment is not awaiting review.")
    return locked


@transaction.atomic
def assessment_return(*, assessment: Assessment, user, role: SiteRole, reasons: str) -> Assessment:
    """A reviewer sends a submitted assessment back to the site with reasons; it opens for edits again."""
    allow(can(role, Need.REVIEW), "Only an SPF reviewer can return an assessment.")
    reasons = clean_text(reasons, "the reasons for returning it")
    assessment = _lock_submitted(assessment)
    assessment.state = Assessment.State.RETURNED
    assessment.return_reasons = reasons
    assessment.reviewed_at = timezone.now()
    assessment.reviewed_by = user
    assessment.save(update_fields=["state", "return_reasons", "reviewed_at", "reviewed_by", "updated_at"])
    event = audit_event(
        action="assessment.return",
        actor=user,
        obj=assessment,
        site=assessment.site,
        summary=f"Returned {assessment.round_label} to the site",
        before={"state": Assessment.State.SUBMITTED},
        after={"state": assessment.state, "reasons": reasons},
    )
    change_record(assessment=assessment, section_id=None, events=[event], cause=assessment.round_label)
    notifications.notify(notifications.Event.ASSESSMENT_RETURNED, assessment.pk, actor=user)
    return assessment


@transaction.atomic
def assessment_accept(*, assessment: Assessment, user, role: SiteRole, note: str = "") -> Assessment:
    """A reviewer accepts a submitted assessment; from now on it is frozen."""
    allow(can(role, Need.REVIEW), "Only an SPF reviewer can accept an assessment.")
    assessment = _lock_submitted(assessment)
    sections = assessment.readiness.section_figures
    open_concerns = assessment.readiness.open_concerns
    require(not open_concerns, f"There are {open_concerns} open concern(s): close them or return the assessment.")
    assessment.state = Assessment.State.ACCEPTED
    assessment.reviewed_at = timezone.now()
    assessment.reviewed_by = user
    assessment.save(update_fields=["state", "reviewed_at", "reviewed_by", "updated_at"])
    signoff = SignOff.objects.create(
        assessment=assessment,
        section=None,
        kind=SignOff.Kind.REVIEWER,
        signed_by=user,
        signer_role=role,
        statement=note.strip()[:BODY_MAX] or "Accepted on review.",
        content_sha256=assessment_content_sha256(sections),
    )
    event = audit_event(
        action="assessment.accept",
        actor=user,
        obj=assessment,
        site=assessment.site,
        summary=f"Accepted {assessment.round_label}",
        before={"state": Assessment.State.SUBMITTED},
        after={"state": assessment.state, "signoff": signoff.pk, "content_sha256": signoff.content_sha256},
    )
    change_record(assessment=assessment, section_id=None, events=[event], cause=assessment.round_label)
    notifications.notify(notifications.Event.ASSESSMENT_ACCEPTED, assessment.pk, actor=user)
    return assessment

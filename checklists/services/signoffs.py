"""Writes of two-party sign-off: management signs a section, the staff side acknowledges or declines it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from checklists.models import Assessment, Comment, Response, Section, SectionFigures, SignOff, SignOffState
from checklists.rules.access import Need, can
from checklists.selectors.responses import section_responses
from checklists.services import notifications
from checklists.services.checks import FROZEN, PartnershipError, allow, clean_text, require
from checklists.services.readiness import assessment_locked, readiness_refresh
from phb_readiness.audit.services import audit_record
from phb_readiness.sites.models import SiteRole


def _lock_for_signoff(assessment: Assessment, section: Section) -> tuple[Assessment, SectionFigures]:
    """Lock the assessment row: sign-offs of one assessment happen one at a time, and see each other. The section's
    stored figures are current under that lock (every change refreshes them in its own transaction)."""
    locked = assessment_locked(assessment.pk)
    require(locked.state != Assessment.State.ACCEPTED, FROZEN)
    require(locked.is_editable, "This assessment is with the reviewers, so sections cannot be signed now.")
    return locked, next(s for s in locked.readiness.section_figures if s.section_id == section.pk)


def _signoff_record(
    *,
    assessment: Assessment,
    section: Section,
    figures: SectionFigures,
    kind: str,
    user,
    role: SiteRole,
    statement: str,
    summary: str,
    event: notifications.Event,
    **after,
) -> SignOff:
    """Append a sign-off over the section's content as it is now, record it and tell the other side."""
    signoff = SignOff.objects.create(
        assessment=assessment,
        section=section,
        kind=kind,
        signed_by=user,
        signer_role=role,
        statement=statement,
        content_sha256=figures.content_sha256,
    )
    readiness_refresh(assessment=assessment, section_ids=[section.pk], signoffs_changed=True)
    audit_record(
        action=f"signoff.{kind}",
        actor=user,
        obj=signoff,
        site=assessment.site,
        summary=summary,
        after={"section": section.code, "statement": statement, "content_sha256": signoff.content_sha256, **after},
    )
    notifications.notify(event, signoff.pk, actor=user)
    return signoff


@transaction.atomic
def signoff_management(*, assessment: Assessment, section: Section, user, role: SiteRole, statement: str) -> SignOff:
    """The manager signs a section for management over its content as it is now."""
    allow(can(role, Need.MANAGE), "Only a pilot manager can sign off a section for management.")
    statement = clean_text(statement, "a statement")
    assessment, figures = _lock_for_signoff(assessment, section)
    require(
        not figures.open_concerns,
        f"{section.title} has {figures.open_concerns} open concern(s). They must be closed before sign-off.",
    )
    if figures.signoff in (SignOffState.MANAGEMENT_ONLY, SignOffState.COMPLETE):
        current = SignOff.objects.select_related("signed_by").get(pk=figures.management_id)
        signer = current.signed_by.get_full_name() or current.signed_by.get_username()
        raise PartnershipError(
            f"{section.title} was already signed for management by {signer}"
            f" at {timezone.localtime(current.created_at):%H:%M on %d %B %Y}, over the same content."
        )
    return _signoff_record(
        section=section,
        figures=figures,
        kind=SignOff.Kind.MANAGEMENT,
        user=user,
        role=role,
        statement=statement,
        summary=f"Signed off {section.code} {section.title} for management",
        event=notifications.Event.SIGNOFF_REQUESTED,
        assessment=assessment,
    )


def _require_awaiting_acknowledgement(figures: SectionFigures) -> int:
    """The id of the management sign-off awaiting the staff side's acknowledgement."""
    require(
        figures.signoff == SignOffState.MANAGEMENT_ONLY,
        {
            SignOffState.NONE: "Management has not signed this section yet.",
            SignOffState.SUPERSEDED: "The section changed after management signed it; it needs signing again.",
            SignOffState.COMPLETE: "The staff side has already acknowledged this sign-off.",
        }.get(figures.signoff, "This section is not awaiting acknowledgement."),
    )
    return figures.management_id


@transaction.atomic
def signoff_acknowledge(*, assessment: Assessment, section: Section, user, role: SiteRole, statement: str) -> SignOff:
    """The union rep gives the staff-side acknowledgement of the current management sign-off."""
    allow(can(role, Need.ACKNOWLEDGE), "Only a union rep can give the staff-side acknowledgement.")
    statement = clean_text(statement, "a statement")
    assessment, figures = _lock_for_signoff(assessment, section)
    management_id = _require_awaiting_acknowledgement(figures)
    require(not figures.open_concerns, f"{section.title} has open concerns: close them or decline instead.")
    return _signoff_record(
        section=section,
        figures=figures,
        kind=SignOff.Kind.STAFF_SIDE,
        user=user,
        role=role,
        statement=statement,
        summary=f"Acknowledged the sign-off of {section.code} {section.title} for the staff side",
        event=notifications.Event.SIGNOFF_GIVEN,
        assessment=assessment,
        management_signoff=management_id,
    )


@transaction.atomic
def signoff_decline(
    *, assessment: Assessment, section: Section, user, role: SiteRole, reason: str, response: Response | None = None
) -> Comment:
    """The union rep declines to acknowledge; the reason becomes a concern on an item of the section."""
    allow(can(role, Need.ACKNOWLEDGE), "Only a union rep can decline the staff-side acknowledgement.")
    reason = clean_text(reason, "the reason you decline")
    assessment, figures = _lock_for_signoff(assessment, section)
    _require_awaiting_acknowledgement(figures)
    if response is None:
        response = section_responses(assessment, section)[0]
    require(response.item.section_id == section.pk, "Choose an item of this section.")
    concern = Comment.objects.create(
        response=response,
        author=user,
        author_role=role,
        body=f"Staff-side acknowledgement of {section.title} declined: {reason}",
        is_concern=True,
        concern_state=Comment.ConcernState.OPEN,
    )
    readiness_refresh(assessment=assessment, section_ids=[section.pk])  # the concern is open
    audit_record(
        action="signoff.decline",
        actor=user,
        obj=concern,
        site=assessment.site,
        summary=f"Declined to acknowledge {section.code} {section.title}; raised a concern on {response.item.code}",
        after={"section": section.code, "item": response.item.code, "reason": reason},
    )
    notifications.notify(notifications.Event.CONCERN_RAISED, concern.pk, actor=user)
    return concern

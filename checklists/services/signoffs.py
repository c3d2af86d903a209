"""Writes of two-party sign-off: management signs a section, the staff side acknowledges or declines it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from checklists.models import Assessment, Comment, Response, Section, SignOff
from checklists.readiness import SectionReadiness, SignOffState
from checklists.rules.access import Need, can
from checklists.selectors.readiness import section_readiness
from checklists.services import notifications
from checklists.services.checks import FROZEN, PartnershipError, allow, clean_text, require
from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import audit_record
from phb_readiness.sites.models import SiteRole


def _lock_for_signoff(assessment: Assessment, section: Section) -> tuple[Assessment, SectionReadiness]:
    """Lock the assessment row: sign-offs of one assessment happen one at a time, and see each other."""
    locked = Assessment.objects.select_for_update(of=("self",)).select_related("site").get(pk=assessment.pk)
    require(locked.state != Assessment.State.ACCEPTED, FROZEN)
    require(locked.is_editable, "This assessment is with the reviewers, so sections cannot be signed now.")
    return locked, section_readiness(locked, section)


def _signoff_record(
    *,
    assessment: Assessment,
    readiness: SectionReadiness,
    kind: str,
    user,
    role: SiteRole,
    statement: str,
    summary: str,
    event: notifications.Event,
    **after,
) -> SignOff:
    """Append a sign-off over the section's content as it is now, record it and tell the other side."""
    section = readiness.section
    signoff = SignOff.objects.create(
        assessment=assessment,
        section=section,
        kind=kind,
        signed_by=user,
        signer_role=role,
        statement=statement,
        content_sha256=readiness.content_sha256,
    )
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
    assessment, readiness = _lock_for_signoff(assessment, section)
    require(
        not readiness.open_concerns,
        f"{section.title} has {readiness.open_concerns} open concern(s). They must be closed before sign-off.",
    )
    if readiness.signoff in (SignOffState.MANAGEMENT_ONLY, SignOffState.COMPLETE):
        current = readiness.current_signoffs[0]
        signer = current.signed_by.get_full_name() or current.signed_by.get_username()
        raise PartnershipError(
            f"{section.title} was already signed for management by {signer}"
            f" at {timezone.localtime(current.created_at):%H:%M on %d %B %Y}, over the same content."
        )
    return _signoff_record(
        readiness=readiness,
        kind=SignOff.Kind.MANAGEMENT,
        user=user,
        role=role,
        statement=statement,
        summary=f"Signed off {section.code} {section.title} for management",
        event=notifications.Event.SIGNOFF_REQUESTED,
        assessment=assessment,
    )


def signoffs_supersede(*, assessment: Assessment, section_id: int, item_code: str, actor=None) -> list[SignOff]:
    """Record in the audit trail that a change to a response (item_code, of section_id) superseded its section's
    current sign-offs.

    The superseded state itself is derived from the content hash (readiness.signoff_state); this only makes the
    moment visible in the trail and the activity feed, once per management sign-off.
    """
    signoffs = list(
        SignOff.objects.filter(assessment_id=assessment.pk, section_id=section_id).order_by("created_at", "id")
    )
    management = [s for s in signoffs if s.kind == SignOff.Kind.MANAGEMENT]
    if not management:
        return []
    latest = management[-1]
    recorded = AuditEvent.objects.filter(
        action="signoff.superseded", object_type=SignOff._meta.label_lower, object_id=str(latest.pk)
    )
    if recorded.exists():
        return []
    readiness = section_readiness(assessment, Section(pk=section_id))
    if readiness.content_sha256 == latest.content_sha256:
        return []
    superseded = [latest] + [
        s
        for s in signoffs
        if s.kind == SignOff.Kind.STAFF_SIDE
        and (s.created_at, s.id) > (latest.created_at, latest.id)
        and s.content_sha256 == latest.content_sha256
    ]
    for signoff in superseded:
        audit_record(
            action="signoff.superseded",
            actor=actor,
            obj=signoff,
            site=assessment.site,
            summary=f"{signoff.get_kind_display()} of {readiness.section.title} superseded by a change to {item_code}",
            before={"content_sha256": signoff.content_sha256},
            after={"content_sha256": readiness.content_sha256},
        )
    return superseded


def content_changed(*, response: Response, assessment: Assessment, user) -> None:
    """A response or its evidence changed: record any section sign-off this supersedes. `response` needs its item
    loaded."""
    signoffs_supersede(
        assessment=assessment, section_id=response.item.section_id, item_code=response.item.code, actor=user
    )


def _require_awaiting_acknowledgement(readiness: SectionReadiness) -> SignOff:
    require(
        readiness.signoff == SignOffState.MANAGEMENT_ONLY,
        {
            SignOffState.NONE: "Management has not signed this section yet.",
            SignOffState.SUPERSEDED: "The section changed after management signed it; it needs signing again.",
            SignOffState.COMPLETE: "The staff side has already acknowledged this sign-off.",
        }.get(readiness.signoff, "This section is not awaiting acknowledgement."),
    )
    return readiness.current_signoffs[0]


@transaction.atomic
def signoff_acknowledge(*, assessment: Assessment, section: Section, user, role: SiteRole, statement: str) -> SignOff:
    """The union rep gives the staff-side acknowledgement of the current management sign-off."""
    allow(can(role, Need.ACKNOWLEDGE), "Only a union rep can give the staff-side acknowledgement.")
    statement = clean_text(statement, "a statement")
    assessment, readiness = _lock_for_signoff(assessment, section)
    management = _require_awaiting_acknowledgement(readiness)
    require(not readiness.open_concerns, f"{section.title} has open concerns: close them or decline instead.")
    return _signoff_record(
        readiness=readiness,
        kind=SignOff.Kind.STAFF_SIDE,
        user=user,
        role=role,
        statement=statement,
        summary=f"Acknowledged the sign-off of {section.code} {section.title} for the staff side",
        event=notifications.Event.SIGNOFF_GIVEN,
        assessment=assessment,
        management_signoff=management.pk,
    )


@transaction.atomic
def signoff_decline(
    *, assessment: Assessment, section: Section, user, role: SiteRole, reason: str, response: Response | None = None
) -> Comment:
    """The union rep declines to acknowledge; the reason becomes a concern on an item of the section."""
    allow(can(role, Need.ACKNOWLEDGE), "Only a union rep can decline the staff-side acknowledgement.")
    reason = clean_text(reason, "the reason you decline")
    assessment, readiness = _lock_for_signoff(assessment, section)
    _require_awaiting_acknowledgement(readiness)
    if response is None:
        response = min(readiness.responses, key=lambda r: r.item.position)
    require(response.item.section_id == section.pk, "Choose an item of this section.")
    concern = Comment.objects.create(
        response=response,
        author=user,
        author_role=role,
        body=f"Staff-side acknowledgement of {section.title} declined: {reason}",
        is_concern=True,
        concern_state=Comment.ConcernState.OPEN,
    )
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

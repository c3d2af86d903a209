"""Writes of the partnership features: comments, concerns, two-party sign-off, review outcomes, preferences.

Views check access (checklists.access) and pass the person's role in; these functions check the workflow state
inside a transaction, change rows, record the audit event and enqueue the e-mail after the commit.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from checklists import notifications
from checklists.access import Need, can
from checklists.models import Assessment, Comment, NotificationPreference, Response, Section, SignOff, SiteVisit
from checklists.readiness import SectionReadiness, SignOffState
from checklists.selectors import readiness_for
from checklists.services import assessment_create
from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import audit_record
from phb_readiness.sites.models import PilotSite, SiteRole

BODY_MAX = 5000
FROZEN = "This assessment has been accepted and is frozen. Start a new round to make changes."


class PartnershipError(Exception):
    """A step that cannot happen in the current state; the message tells the person why."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PartnershipError(message)


def _allow(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _clean_text(text: str, what: str) -> str:
    text = (text or "").strip()
    _require(bool(text), f"Enter {what}.")
    _require(len(text) <= BODY_MAX, f"{what[0].upper()}{what[1:]} must be {BODY_MAX} characters or fewer.")
    return text


# --- comments and concerns -------------------------------------------------------------------------------------


@transaction.atomic
def comment_create(*, response: Response, user, role: SiteRole, body: str, is_concern: bool = False) -> Comment:
    """A comment on an item, or a concern (union reps and reviewers) that stays open until closed."""
    need = Need.RAISE_CONCERN if is_concern else Need.COMMENT
    _allow(can(role, need), f"Your role ({role.label}) cannot {'raise concerns' if is_concern else 'comment'}.")
    assessment = (
        Assessment.objects.select_for_update(of=("self",)).select_related("site").get(pk=response.assessment_id)
    )
    _require(assessment.state != Assessment.State.ACCEPTED, FROZEN)
    comment = Comment.objects.create(
        response=response,
        author=user,
        author_role=role,
        body=_clean_text(body, "a concern" if is_concern else "a comment"),
        is_concern=is_concern,
        concern_state=Comment.ConcernState.OPEN if is_concern else "",
    )
    audit_record(
        action="concern.raise" if is_concern else "comment.create",
        actor=user,
        obj=comment,
        site=assessment.site,
        summary=f"{'Raised a concern' if is_concern else 'Commented'} on {response.item.code}",
        after={"response": response.pk, "item": response.item.code, "body": comment.body},
    )
    if is_concern:
        notifications.notify(notifications.Event.CONCERN_RAISED, comment.pk, actor=user)
    return comment


def _lock_concern(concern: Comment) -> tuple[Comment, Assessment]:
    assessment = (
        Assessment.objects.select_for_update(of=("self",)).select_related("site").get(pk=concern.response.assessment_id)
    )
    locked = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("response__item")
        .get(pk=concern.pk, is_concern=True)
    )
    _require(assessment.state != Assessment.State.ACCEPTED, FROZEN)
    return locked, assessment


def _may_close(concern: Comment, user, role: SiteRole) -> bool:
    return concern.author_id == user.pk or role == SiteRole.REVIEWER


@transaction.atomic
def concern_answer(*, concern: Comment, user, role: SiteRole, answer: str) -> Comment:
    """A manager answers an open concern with a resolution note."""
    _allow(can(role, Need.MANAGE), "Only a pilot manager can answer a concern.")
    concern, assessment = _lock_concern(concern)
    _require(concern.concern_state == Comment.ConcernState.OPEN, "This concern is not open, so it cannot be answered.")
    before = {"concern_state": concern.concern_state, "answer": concern.answer}
    concern.answer = _clean_text(answer, "a resolution note")
    concern.answered_by = user
    concern.answered_at = timezone.now()
    concern.concern_state = Comment.ConcernState.ANSWERED
    concern.save(update_fields=["answer", "answered_by", "answered_at", "concern_state"])
    audit_record(
        action="concern.answer",
        actor=user,
        obj=concern,
        site=assessment.site,
        summary=f"Answered a concern on {concern.response.item.code}",
        before=before,
        after={"concern_state": concern.concern_state, "answer": concern.answer},
    )
    notifications.notify(notifications.Event.CONCERN_ANSWERED, concern.pk, actor=user)
    return concern


@transaction.atomic
def concern_close(*, concern: Comment, user, role: SiteRole) -> Comment:
    """The person who raised the concern (or a reviewer) is satisfied and closes it."""
    concern, assessment = _lock_concern(concern)
    _allow(_may_close(concern, user, role), "Only the person who raised this concern, or a reviewer, can close it.")
    _require(concern.concern_state != Comment.ConcernState.CLOSED, "This concern is already closed.")
    before = concern.concern_state
    concern.concern_state = Comment.ConcernState.CLOSED
    concern.closed_by = user
    concern.closed_at = timezone.now()
    concern.save(update_fields=["concern_state", "closed_by", "closed_at"])
    audit_record(
        action="concern.close",
        actor=user,
        obj=concern,
        site=assessment.site,
        summary=f"Closed a concern on {concern.response.item.code}",
        before={"concern_state": before},
        after={"concern_state": concern.concern_state},
    )
    notifications.notify(notifications.Event.CONCERN_CLOSED, concern.pk, actor=user)
    return concern


@transaction.atomic
def concern_reopen(*, concern: Comment, user, role: SiteRole) -> Comment:
    """The raiser (or a reviewer) is not satisfied with the answer, or closed it too soon."""
    concern, assessment = _lock_concern(concern)
    _allow(_may_close(concern, user, role), "Only the person who raised this concern, or a reviewer, can reopen it.")
    _require(concern.concern_state != Comment.ConcernState.OPEN, "This concern is already open.")
    before = concern.concern_state
    concern.concern_state = Comment.ConcernState.OPEN
    concern.closed_by = None
    concern.closed_at = None
    concern.save(update_fields=["concern_state", "closed_by", "closed_at"])
    audit_record(
        action="concern.reopen",
        actor=user,
        obj=concern,
        site=assessment.site,
        summary=f"Reopened a concern on {concern.response.item.code}",
        before={"concern_state": before},
        after={"concern_state": concern.concern_state},
    )
    notifications.notify(notifications.Event.CONCERN_REOPENED, concern.pk, actor=user)
    return concern


# --- two-party sign-off ----------------------------------------------------------------------------------------


def section_readiness(assessment: Assessment, section: Section) -> SectionReadiness:
    return next(s for s in readiness_for(assessment).sections if s.section.pk == section.pk)


def _lock_for_signoff(assessment: Assessment, section: Section) -> tuple[Assessment, SectionReadiness]:
    """Lock the assessment row: sign-offs of one assessment happen one at a time, and see each other."""
    locked = Assessment.objects.select_for_update(of=("self",)).select_related("site").get(pk=assessment.pk)
    _require(locked.state != Assessment.State.ACCEPTED, FROZEN)
    _require(locked.is_editable, "This assessment is with the reviewers, so sections cannot be signed now.")
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
    _allow(can(role, Need.MANAGE), "Only a pilot manager can sign off a section for management.")
    statement = _clean_text(statement, "a statement")
    assessment, readiness = _lock_for_signoff(assessment, section)
    _require(
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


def _require_awaiting_acknowledgement(readiness: SectionReadiness) -> SignOff:
    _require(
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
    _allow(can(role, Need.ACKNOWLEDGE), "Only a union rep can give the staff-side acknowledgement.")
    statement = _clean_text(statement, "a statement")
    assessment, readiness = _lock_for_signoff(assessment, section)
    management = _require_awaiting_acknowledgement(readiness)
    _require(not readiness.open_concerns, f"{section.title} has open concerns: close them or decline instead.")
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
    _allow(can(role, Need.ACKNOWLEDGE), "Only a union rep can decline the staff-side acknowledgement.")
    reason = _clean_text(reason, "the reason you decline")
    assessment, readiness = _lock_for_signoff(assessment, section)
    _require_awaiting_acknowledgement(readiness)
    if response is None:
        response = min(readiness.responses, key=lambda r: r.item.position)
    _require(response.item.section_id == section.pk, "Choose an item of this section.")
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


# --- review outcomes -------------------------------------------------------------------------------------------


def _lock_submitted(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update(of=("self",)).select_related("site").get(pk=assessment.pk)
    _require(locked.state == Assessment.State.SUBMITTED, "This assessment is not awaiting review.")
    return locked


@transaction.atomic
def assessment_return(*, assessment: Assessment, user, role: SiteRole, reasons: str) -> Assessment:
    """A reviewer sends a submitted assessment back to the site with reasons; it opens for edits again."""
    _allow(can(role, Need.REVIEW), "Only an SPF reviewer can return an assessment.")
    reasons = _clean_text(reasons, "the reasons for returning it")
    assessment = _lock_submitted(assessment)
    assessment.state = Assessment.State.RETURNED
    assessment.return_reasons = reasons
    assessment.reviewed_at = timezone.now()
    assessment.reviewed_by = user
    assessment.save(update_fields=["state", "return_reasons", "reviewed_at", "reviewed_by", "updated_at"])
    audit_record(
        action="assessment.return",
        actor=user,
        obj=assessment,
        site=assessment.site,
        summary=f"Returned {assessment.round_label} to the site",
        before={"state": Assessment.State.SUBMITTED},
        after={"state": assessment.state, "reasons": reasons},
    )
    notifications.notify(notifications.Event.ASSESSMENT_RETURNED, assessment.pk, actor=user)
    return assessment


def assessment_content_sha256(sections: list[SectionReadiness]) -> str:
    """What a reviewer's acceptance covers: every section's canonical content, in order."""
    return hashlib.sha256("\n".join(f"{s.section.code}:{s.content_sha256}" for s in sections).encode()).hexdigest()


@transaction.atomic
def assessment_accept(*, assessment: Assessment, user, role: SiteRole, note: str = "") -> Assessment:
    """A reviewer accepts a submitted assessment; from now on it is frozen."""
    _allow(can(role, Need.REVIEW), "Only an SPF reviewer can accept an assessment.")
    assessment = _lock_submitted(assessment)
    sections = readiness_for(assessment).sections
    open_concerns = sum(s.open_concerns for s in sections)
    _require(not open_concerns, f"There are {open_concerns} open concern(s): close them or return the assessment.")
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
    audit_record(
        action="assessment.accept",
        actor=user,
        obj=assessment,
        site=assessment.site,
        summary=f"Accepted {assessment.round_label}",
        before={"state": Assessment.State.SUBMITTED},
        after={"state": assessment.state, "signoff": signoff.pk, "content_sha256": signoff.content_sha256},
    )
    notifications.notify(notifications.Event.ASSESSMENT_ACCEPTED, assessment.pk, actor=user)
    return assessment


@transaction.atomic
def assessment_new_round(*, assessment: Assessment, user, role: SiteRole, round_label: str) -> Assessment:
    """A new round from an accepted assessment, its answers carried forward to be reviewed again."""
    _allow(can(role, Need.MANAGE) or can(role, Need.REVIEW), "Only a pilot manager or a reviewer can start a round.")
    round_label = (round_label or "").strip()
    _require(bool(round_label), "Enter a name for the new round.")
    source = (
        Assessment.objects.select_for_update(of=("self",)).select_related("site", "framework").get(pk=assessment.pk)
    )
    _require(source.state == Assessment.State.ACCEPTED, "A new round starts from an accepted assessment.")
    _require(
        not Assessment.objects.filter(site=source.site, framework=source.framework, round_label=round_label).exists(),
        f"{source.site.name} already has a round called “{round_label}”.",
    )
    return assessment_create(
        site=source.site, framework=source.framework, round_label=round_label, user=user, carry_forward_from=source
    )


# --- preferences and visits ------------------------------------------------------------------------------------


@transaction.atomic
def preferences_save(*, user, enabled: set[str]) -> None:
    """Switch e-mail categories on or off for one person (a row per category they have chosen)."""
    for category in NotificationPreference.Category.values:
        NotificationPreference.objects.update_or_create(
            user=user, category=category, defaults={"enabled": category in enabled}
        )
    audit_record(
        action="notifications.preferences",
        actor=user,
        obj=user,
        summary="Changed e-mail notification preferences",
        after={"enabled": sorted(enabled)},
    )


def site_visit_touch(*, user, site: PilotSite) -> datetime.datetime | None:
    """Record that the person looked at the site's activity now; when they had last looked, if ever."""
    now = timezone.now()
    visits = SiteVisit.objects.filter(user=user, site=site)
    previous = visits.values_list("last_seen_at", flat=True).first()
    if previous is None:
        SiteVisit.objects.get_or_create(user=user, site=site, defaults={"last_seen_at": now})
    else:
        visits.update(last_seen_at=now)
    return previous

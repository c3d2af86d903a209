"""Writes of comments and concerns: commenting, raising a concern, answering, closing and reopening it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from checklists.models import Assessment, Comment, Response
from checklists.rules.access import Need, can
from checklists.services import notifications
from checklists.services.checks import FROZEN, allow, clean_text, require
from checklists.services.readiness import assessment_locked, change_record
from phb_readiness.audit.services import audit_append_many, audit_event, audit_record
from phb_readiness.sites.models import SiteRole


@transaction.atomic
def comment_create(*, response: Response, user, role: SiteRole, body: str, is_concern: bool = False) -> Comment:
    """A comment on an item, or a concern (union reps and reviewers) that stays open until closed."""
    need = Need.RAISE_CONCERN if is_concern else Need.COMMENT
    allow(can(role, need), f"Your role ({role.label}) cannot {'raise concerns' if is_concern else 'comment'}.")
    assessment = assessment_locked(response.assessment_id)
    require(assessment.state != Assessment.State.ACCEPTED, FROZEN)
    comment = Comment.objects.create(
        response=response,
        author=user,
        author_role=role,
        body=clean_text(body, "a concern" if is_concern else "a comment"),
        is_concern=is_concern,
        concern_state=Comment.ConcernState.OPEN if is_concern else "",
    )
    event = audit_event(
        action="concern.raise" if is_concern else "comment.create",
        actor=user,
        obj=comment,
        site=assessment.site,
        summary=f"{'Raised a concern' if is_concern else 'Commented'} on {response.item.code}",
        after={"response": response.pk, "item": response.item.code, "body": comment.body},
    )
    if is_concern:  # an open concern counts against readiness; a comment does not
        change_record(
            assessment=assessment, section_id=response.item.section_id, events=[event], cause=response.item.code
        )
    else:
        audit_append_many([event])
    if is_concern:
        notifications.notify(notifications.Event.CONCERN_RAISED, comment.pk, actor=user)
    return comment


def _lock_concern(concern: Comment) -> tuple[Comment, Assessment]:
    assessment = assessment_locked(concern.response.assessment_id)
    locked = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("response__item")
        .get(pk=concern.pk, is_concern=True)
    )
    require(assessment.state != Assessment.State.ACCEPTED, FROZEN)
    return locked, assessment


def may_close(concern: Comment, user, role: SiteRole) -> bool:
    """Who may close or reopen a concern: its raiser, or a reviewer."""
    return concern.author_id == user.pk or role == SiteRole.REVIEWER


@transaction.atomic
def concern_answer(*, concern: Comment, user, role: SiteRole, answer: str) -> Comment:
    """A manager answers an open concern with a resolution note."""
    allow(can(role, Need.MANAGE), "Only a pilot manager can answer a concern.")
    concern, assessment = _lock_concern(concern)
    require(concern.concern_state == Comment.ConcernState.OPEN, "This concern is not open, so it cannot be answered.")
    before = {"concern_state": concern.concern_state, "answer": concern.answer}
    concern.answer = clean_text(answer, "a resolution note")
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
def concern_close(*, concern: Comment, user, role: SiteRole, reason: str = "") -> Comment:
    """The person who raised the concern (or a reviewer) is satisfied and closes it. Anyone else who closes it gives
    a reason, which the raiser sees on the concern and is sent."""
    concern, assessment = _lock_concern(concern)
    allow(may_close(concern, user, role), "Only the person who raised this concern, or a reviewer, can close it.")
    require(concern.concern_state != Comment.ConcernState.CLOSED, "This concern is already closed.")
    over_raiser = concern.author_id != user.pk
    reason = clean_text(reason, "your reason for closing someone else's concern") if over_raiser else ""
    before = concern.concern_state
    concern.concern_state = Comment.ConcernState.CLOSED
    concern.closed_by = user
    concern.closed_at = timezone.now()
    concern.close_reason = reason
    concern.save(update_fields=["concern_state", "closed_by", "closed_at", "close_reason"])
    event = audit_event(
        action="concern.close",
        actor=user,
        obj=concern,
        site=assessment.site,
        summary=f"Closed a concern on {concern.response.item.code}" + (", with a reason" if over_raiser else ""),
        before={"concern_state": before},
        after={"concern_state": concern.concern_state, **({"reason": reason} if over_raiser else {})},
    )
    item = concern.response.item
    change_record(assessment=assessment, section_id=item.section_id, events=[event], cause=item.code)
    notifications.notify(notifications.Event.CONCERN_CLOSED, concern.pk, actor=user)
    if over_raiser:
        notifications.notify(notifications.Event.CONCERN_CLOSED_FOR_RAISER, concern.pk, actor=user)
    return concern


@transaction.atomic
def concern_reopen(*, concern: Comment, user, role: SiteRole) -> Comment:
    """The raiser (or a reviewer) is not satisfied with the answer, or closed it too soon."""
    concern, assessment = _lock_concern(concern)
    allow(may_close(concern, user, role), "Only the person who raised this concern, or a reviewer, can reopen it.")
    require(concern.concern_state != Comment.ConcernState.OPEN, "This concern is already open.")
    before = concern.concern_state
    concern.concern_state = Comment.ConcernState.OPEN
    concern.closed_by = None
    concern.closed_at = None
    concern.close_reason = ""  # the reason for the earlier close stays in the audit trail
    concern.save(update_fields=["concern_state", "closed_by", "closed_at", "close_reason"])
    event = audit_event(
        action="concern.reopen",
        actor=user,
        obj=concern,
        site=assessment.site,
        summary=f"Reopened a concern on {concern.response.item.code}",
        before={"concern_state": before},
        after={"concern_state": concern.concern_state},
    )
    item = concern.response.item
    change_record(assessment=assessment, section_id=item.section_id, events=[event], cause=item.code)
    notifications.notify(notifications.Event.CONCERN_REOPENED, concern.pk, actor=user)
    return concern

"""Writes of review outcomes: a reviewer returns a submitted assessment with reasons and item queries, or accepts it
(over a RED rating only with an override and its reasons); the site answers the queries; the reviewer resolves them
or keeps them open. Each step is a `ReviewEvent` of its own, and an audit event."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from checklists.models import Assessment, Rag, Response, ReviewEvent, ReviewQuery, SignOff
from checklists.rules.access import Need, can
from checklists.rules.answers import BODY_MAX
from checklists.rules.review import assessment_content_sha256
from checklists.selectors.review import accept_refusals, answers_snapshot
from checklists.services import notifications
from checklists.services.checks import allow, clean_text, require
from checklists.services.readiness import assessment_locked, change_record
from phb_readiness.audit.services import audit_event, audit_record
from phb_readiness.sites.models import SiteRole


def _lock_submitted(assessment: Assessment) -> Assessment:
    locked = assessment_locked(assessment.pk)
    require(locked.state == Assessment.State.SUBMITTED, "This assessment is not awaiting review.")
    return locked


@transaction.atomic
def assessment_return(
    *, assessment: Assessment, user, role: SiteRole, reasons: str, queries: Mapping[str, str] | None = None
) -> Assessment:
    """A reviewer sends a submitted assessment back to the site with reasons and, for any items, a query each (item
    code to question); it opens for edits again. The return keeps a snapshot of every answer, so what changed
    before the next submission can be shown."""
    allow(can(role, Need.REVIEW), "Only an SPF reviewer can return an assessment.")
    reasons = clean_text(reasons, "the reasons for returning it")
    asked = {code: clean_text(q, f"the query on {code}") for code, q in (queries or {}).items() if (q or "").strip()}
    assessment = _lock_submitted(assessment)
    responses = {}
    if asked:
        responses = {
            r.item.code: r
            for r in Response.objects.filter(assessment=assessment, item__code__in=asked).select_related("item")
        }
        unknown = sorted(set(asked) - set(responses))
        require(not unknown, f"There is no item {', '.join(unknown)} in this assessment.")
    now = timezone.now()
    assessment.state = Assessment.State.RETURNED
    assessment.return_reasons = reasons
    assessment.reviewed_at = now
    assessment.reviewed_by = user
    assessment.save(update_fields=["state", "return_reasons", "reviewed_at", "reviewed_by", "updated_at"])
    returned = ReviewEvent.objects.create(
        assessment=assessment,
        kind=ReviewEvent.Kind.RETURNED,
        by=user,
        at=now,
        reasons=reasons,
        rag=assessment.readiness.rag,
        snapshot=answers_snapshot(assessment),
    )
    ReviewQuery.objects.bulk_create(
        ReviewQuery(
            assessment=assessment,
            response=responses[code],
            return_event=returned,
            question=question,
            asked_by=user,
            asked_at=now,
        )
        for code, question in asked.items()
    )
    event = audit_event(
        action="assessment.return",
        actor=user,
        obj=assessment,
        site=assessment.site,
        summary=f"Returned {assessment.round_label} to the site"
        + (f" with {len(asked)} item quer{'y' if len(asked) == 1 else 'ies'}" if asked else ""),
        before={"state": Assessment.State.SUBMITTED},
        after={"state": assessment.state, "reasons": reasons, "queries": asked, "review_event": returned.pk},
    )
    change_record(assessment=assessment, section_id=None, events=[event], cause=assessment.round_label)
    notifications.notify(notifications.Event.ASSESSMENT_RETURNED, assessment.pk, actor=user)
    return assessment


@transaction.atomic
def assessment_accept(
    *, assessment: Assessment, user, role: SiteRole, note: str = "", override_reasons: str = ""
) -> Assessment:
    """A reviewer accepts a submitted assessment; from now on it is frozen. While the stored rating is RED it is
    accepted only with an override and the reviewer's reasons for it, recorded before the acceptance."""
    allow(can(role, Need.REVIEW), "Only an SPF reviewer can accept an assessment.")
    assessment = _lock_submitted(assessment)
    readiness = assessment.readiness
    sections = readiness.section_figures
    refusals = accept_refusals(assessment)
    require(not refusals, " ".join(refusals))
    override_reasons = (override_reasons or "").strip()
    red = readiness.rag == Rag.RED
    require(
        not red or bool(override_reasons),
        "The rating is RED. Give your reasons for accepting it over the rating, or return the assessment.",
    )
    if red:
        override_reasons = clean_text(override_reasons, "your reasons for accepting over a RED rating")
    now = timezone.now()
    note = note.strip()[:BODY_MAX]
    assessment.state = Assessment.State.ACCEPTED
    assessment.reviewed_at = now
    assessment.reviewed_by = user
    assessment.save(update_fields=["state", "reviewed_at", "reviewed_by", "updated_at"])
    events = []
    if red:
        override = ReviewEvent.objects.create(
            assessment=assessment,
            kind=ReviewEvent.Kind.OVERRIDE,
            by=user,
            at=now,
            reasons=override_reasons,
            rag=readiness.rag,
        )
        events.append(
            audit_event(
                action="assessment.override",
                actor=user,
                obj=assessment,
                site=assessment.site,
                summary=f"Accepted {assessment.round_label} over a RED rating",
                before={"rag": readiness.rag},
                after={"reasons": override_reasons, "review_event": override.pk},
            )
        )
    accepted = ReviewEvent.objects.create(
        assessment=assessment, kind=ReviewEvent.Kind.ACCEPTED, by=user, at=now, reasons=note, rag=readiness.rag
    )
    signoff = SignOff.objects.create(
        assessment=assessment,
        section=None,
        kind=SignOff.Kind.REVIEWER,
        signed_by=user,
        signer_role=role,
        statement=note or "Accepted on review.",
        content_sha256=assessment_content_sha256(sections),
    )
    events.append(
        audit_event(
            action="assessment.accept",
            actor=user,
            obj=assessment,
            site=assessment.site,
            summary=f"Accepted {assessment.round_label}",
            before={"state": Assessment.State.SUBMITTED},
            after={
                "state": assessment.state,
                "signoff": signoff.pk,
                "content_sha256": signoff.content_sha256,
                "note": note,
                "review_event": accepted.pk,
            },
        )
    )
    change_record(assessment=assessment, section_id=None, events=events, cause=assessment.round_label)
    notifications.notify(notifications.Event.ASSESSMENT_ACCEPTED, assessment.pk, actor=user)
    return assessment


def _lock_query(query: ReviewQuery) -> tuple[ReviewQuery, Assessment]:
    assessment = assessment_locked(query.assessment_id)
    locked = ReviewQuery.objects.select_for_update(of=("self",)).select_related("response__item").get(pk=query.pk)
    return locked, assessment


@transaction.atomic
def review_query_answer(*, query: ReviewQuery, user, role: SiteRole, answer: str) -> ReviewQuery:
    """A pilot manager answers the reviewer's query on an item (or changes the answer) before resubmitting."""
    allow(can(role, Need.MANAGE), "Only a pilot manager can answer the reviewer's query.")
    query, assessment = _lock_query(query)
    require(
        assessment.state == Assessment.State.RETURNED,
        "Queries are answered while the assessment is returned to the site.",
    )
    require(query.state != ReviewQuery.State.RESOLVED, "The reviewer has resolved this query.")
    before = {"state": query.state, "answer": query.answer}
    query.answer = clean_text(answer, "your answer to the reviewer's query")
    query.answered_by = user
    query.answered_at = timezone.now()
    query.state = ReviewQuery.State.ANSWERED
    query.save(update_fields=["answer", "answered_by", "answered_at", "state"])
    audit_record(
        action="review_query.answer",
        actor=user,
        obj=query,
        site=assessment.site,
        summary=f"Answered the reviewer's query on {query.response.item.code}",
        before=before,
        after={"state": query.state, "answer": query.answer},
    )
    return query


@transaction.atomic
def review_query_resolve(*, query: ReviewQuery, user, role: SiteRole, resolved: bool = True) -> ReviewQuery:
    """The reviewer is satisfied with the answer and resolves the query, or keeps it open (`resolved=False`): it goes
    back to the site, to be answered again, with the next return."""
    allow(can(role, Need.REVIEW), "Only an SPF reviewer can resolve a query.")
    query, assessment = _lock_query(query)
    require(assessment.state == Assessment.State.SUBMITTED, "Queries are resolved while the assessment is in review.")
    require(query.state == ReviewQuery.State.ANSWERED, "This query has no new answer to resolve.")
    before = {"state": query.state}
    if resolved:
        query.state = ReviewQuery.State.RESOLVED
        query.resolved_by = user
        query.resolved_at = timezone.now()
    else:
        query.state = ReviewQuery.State.OPEN
    query.save(update_fields=["state", "resolved_by", "resolved_at"])
    code = query.response.item.code
    audit_record(
        action="review_query.resolve" if resolved else "review_query.keep_open",
        actor=user,
        obj=query,
        site=assessment.site,
        summary=f"Resolved the query on {code}" if resolved else f"Kept the query on {code} open",
        before=before,
        after={"state": query.state},
    )
    return query

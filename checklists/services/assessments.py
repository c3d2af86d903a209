"""Writes of an assessment as a whole: starting one (or a new round from an accepted one) and submitting it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from checklists.models import Assessment, Framework, Item, Readiness, Response, ReviewEvent
from checklists.rules.access import Need, can
from checklists.rules.answers import CARRIED_FIELDS
from checklists.selectors.review import submit_blockers
from checklists.services import notifications
from checklists.services.checks import AssessmentNotEditable, allow, require, role_needed
from checklists.services.readiness import assessment_locked, change_record, readiness_refresh
from phb_readiness.audit.services import audit_event, audit_record
from phb_readiness.sites.models import PilotSite, SiteRole


class SubmitBlocked(Exception):
    """Something keeps the assessment from being submitted; `blockers` says what and where."""

    def __init__(self, blockers: list):
        self.blockers = blockers
        super().__init__(f"The assessment cannot be submitted yet: {len(blockers)} thing(s) to resolve.")


@transaction.atomic
def assessment_create(
    *,
    site: PilotSite,
    framework: Framework,
    round_label: str,
    user=None,
    carry_forward_from: Assessment | None = None,
) -> Assessment:
    """Start an assessment with one response per item; a new round copies the last answers forward."""
    assessment = Assessment.objects.create(
        site=site,
        framework=framework,
        round_label=round_label,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        carried_forward_from=carry_forward_from,
    )
    previous: dict[str, Response] = {}
    if carry_forward_from is not None:
        previous = {r.item.code: r for r in carry_forward_from.responses.select_related("item")}
    responses = []
    for item in Item.objects.filter(section__framework=framework).only("id", "code"):
        response = Response(assessment=assessment, item=item)
        if item.code in previous:
            for name in CARRIED_FIELDS:
                setattr(response, name, getattr(previous[item.code], name))
            # An answer copied from the last round stands until someone confirms or changes it in this one.
            response.carried_forward = response.status != Response.Status.NOT_STARTED or bool(response.narrative)
        responses.append(response)
    Response.objects.bulk_create(responses)
    # The new assessment is its site's latest: the one the overview shows.
    Readiness.objects.filter(site=site, is_latest=True).update(is_latest=False)
    readiness_refresh(assessment=assessment)
    audit_record(
        action="assessment.create",
        actor=user,
        obj=assessment,
        site=site,
        summary=f"Started {round_label} against {framework}",
        after={
            "round_label": round_label,
            "framework": framework.pk,
            "carried_forward_from": carry_forward_from and carry_forward_from.pk,
        },
    )
    return assessment


@transaction.atomic
def assessment_submit(*, assessment: Assessment, user) -> Assessment:
    """Submit an assessment for review; only a pilot manager, only when nothing blocks it."""
    assessment = assessment_locked(assessment.pk)
    role_needed(user, assessment, Need.MANAGE)
    if not assessment.is_editable:
        raise AssessmentNotEditable(assessment)
    if assessment.readiness.as_of != timezone.localdate():  # counted on another day: evidence may have expired since
        readiness_refresh(assessment=assessment)
    blockers = submit_blockers(assessment=assessment, readiness=assessment.readiness)
    if blockers:
        raise SubmitBlocked(blockers)
    before = assessment.state
    assessment.state = Assessment.State.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=["state", "submitted_at", "updated_at"])
    resubmitted = before == Assessment.State.RETURNED
    ReviewEvent.objects.create(
        assessment=assessment,
        kind=ReviewEvent.Kind.RESUBMITTED if resubmitted else ReviewEvent.Kind.SUBMITTED,
        by=user,
        at=assessment.submitted_at,
        rag=assessment.readiness.rag,
    )
    event = audit_event(
        action="assessment.submit",
        actor=user,
        obj=assessment,
        site=assessment.site,
        summary=f"Submitted {assessment.round_label} for review",
        before={"state": before},
        after={"state": assessment.state, "submitted_at": assessment.submitted_at},
    )
    change_record(assessment=assessment, section_id=None, events=[event], cause=assessment.round_label)
    notifications.notify(notifications.Event.ASSESSMENT_SUBMITTED, assessment.pk, actor=user)
    return assessment


@transaction.atomic
def assessment_new_round(*, assessment: Assessment, user, role: SiteRole, round_label: str) -> Assessment:
    """A new round from an accepted assessment, its answers carried forward to be reviewed again."""
    allow(can(role, Need.MANAGE) or can(role, Need.REVIEW), "Only a pilot manager or a reviewer can start a round.")
    round_label = (round_label or "").strip()
    require(bool(round_label), "Enter a name for the new round.")
    source = (
        Assessment.objects.select_for_update(of=("self",)).select_related("site", "framework").get(pk=assessment.pk)
    )
    require(source.state == Assessment.State.ACCEPTED, "A new round starts from an accepted assessment.")
    require(
        not Assessment.objects.filter(site=source.site, framework=source.framework, round_label=round_label).exists(),
        f"{source.site.name} already has a round called “{round_label}”.",
    )
    return assessment_create(
        site=source.site, framework=source.framework, round_label=round_label, user=user, carry_forward_from=source
    )

"""Writes to assessments. Views call these; they check state, change rows and record the audit event."""

from __future__ import annotations

from django.db import transaction

from checklists.models import Assessment, Framework, Item, Response
from phb_readiness.audit.services import audit_record
from phb_readiness.sites.models import PilotSite

CARRIED_FIELDS = ("status", "narrative", "not_applicable_reason", "owner_id", "due_date")


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
        responses.append(response)
    Response.objects.bulk_create(responses)
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

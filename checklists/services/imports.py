"""Writes of a checklist spreadsheet import: keeping a previewed import until it is confirmed, and applying it.

Applying goes through `response_save` item by item, in one transaction: each changed item is audited, supersedes
sign-offs and refreshes stored readiness exactly as an edit on its page does, and if any item fails (changed by
someone else since the preview, no longer valid) nothing at all is written. Its writes grow with the number of
changed items: about seven queries each.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from checklists.models import Assessment, ChecklistImport, Response
from checklists.rules.imports import values_for_save
from checklists.selectors.imports import ImportPlan, import_expiry_cutoff
from checklists.services.readiness import assessment_locked
from checklists.services.responses import response_confirm, response_save
from phb_readiness.audit.services import audit_record
from phb_readiness.sites.models import SiteRole


@dataclass(frozen=True)
class ImportResult:
    applied: list[str]  # item codes changed
    left_alone: list[str]  # conflicts not chosen for overwriting
    confirmed: list[str]  # answers carried forward, confirmed as this round's


def checklist_import_create(*, plan: ImportPlan, user) -> ChecklistImport:
    """Keep a previewed plan (with no errors) until its uploader confirms it; expired imports are deleted here."""
    if plan.errors:
        raise ValueError("A plan with errors is shown, never kept.")
    ChecklistImport.objects.filter(created_at__lt=import_expiry_cutoff()).delete()
    return ChecklistImport.objects.create(
        assessment=plan.assessment,
        uploaded_by=user,
        filename=plan.filename[:255],
        sha256=plan.sha256,
        rows=plan.entries,
        created_at=timezone.now(),
    )


@transaction.atomic
def checklist_import_apply(
    *,
    assessment: Assessment,
    user,
    role: SiteRole,
    entries: list[dict],
    overwrite: set[str],
    filename: str,
    confirm_carried: bool = False,
) -> ImportResult:
    """Apply a plan's entries, each against the version its preview showed; conflicts only when in `overwrite`;
    answers carried forward that the file leaves as they are confirmed (`response_confirm`) when `confirm_carried`.

    Raises what `response_save` raises (ResponseConflict, AssessmentNotEditable, PermissionDenied,
    ValidationError) for the first item that fails; the transaction then writes nothing.
    """
    assessment = assessment_locked(assessment.pk)
    carried = [e for e in entries if e.get("carried")] if confirm_carried else []
    chosen = [e for e in entries if not e.get("carried") and (not e["conflict"] or e["code"] in overwrite)]
    left_alone = [e["code"] for e in entries if e["conflict"] and e["code"] not in overwrite]
    responses = Response.objects.select_related("item", "owner", "updated_by").in_bulk(
        [e["response_id"] for e in chosen + carried]
    )
    for entry in chosen:
        response_save(
            response=responses[entry["response_id"]],
            user=user,
            data=values_for_save(entry["values"]),
            base_version=entry["version"],
            role=role,
        )
    for entry in carried:
        response_confirm(response=responses[entry["response_id"]], user=user, base_version=entry["version"], role=role)
    applied = [e["code"] for e in chosen]
    confirmed = [e["code"] for e in carried]
    audit_record(
        action="checklist.import",
        actor=user,
        obj=assessment,
        site=assessment.site,
        summary=f"Imported {len(applied)} changed items into {assessment.site.code} ({assessment.round_label}) "
        f"from {filename}" + (f"; confirmed {len(confirmed)} carried forward" if confirmed else ""),
        after={"filename": filename, "applied": applied, "left_alone": left_alone, "confirmed": confirmed},
    )
    return ImportResult(applied=applied, left_alone=left_alone, confirmed=confirmed)


@transaction.atomic
def checklist_import_confirm(
    *, pending: ChecklistImport, user, role: SiteRole, overwrite: set[str], confirm_carried: bool = False
) -> ImportResult:
    """Apply a pending import and forget it: once, whatever happens next."""
    result = checklist_import_apply(
        confirm_carried=confirm_carried,
        assessment=pending.assessment,
        user=user,
        role=role,
        entries=pending.rows,
        overwrite=overwrite,
        filename=pending.filename,
    )
    pending.delete()
    return result

"""Writes of evidence: files (checked by their content, stored privately) and links, added and removed."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from checklists.models import Assessment, Evidence, Response
from checklists.rules.access import Need
from checklists.rules.evidence import display_filename, file_sha256, validate_upload
from checklists.services.checks import AssessmentNotEditable, role_needed
from checklists.services.readiness import assessment_locked, change_record
from phb_readiness.audit.services import audit_event
from phb_readiness.sites.models import SiteRole


def _dates(dated: datetime.date | None, valid_until: datetime.date | None) -> dict:
    """The dates an evidence row keeps: the date it speaks for (today unless given) and, optionally, its last valid
    day, which may not come before it."""
    dated = dated or timezone.localdate()
    if valid_until is not None and valid_until < dated:
        raise ValidationError("The valid-until date must be the same as or after the date the evidence is dated")
    return {"dated": dated, "valid_until": valid_until}


def _dates_audited(evidence: Evidence) -> dict:
    return {
        "dated": evidence.dated.isoformat(),
        "valid_until": evidence.valid_until.isoformat() if evidence.valid_until else None,
    }


def _evidence_target(*, response: Response, user, need) -> tuple[Assessment, SiteRole]:
    # Locked like a response save, so evidence cannot change under a submission that is checking the content.
    assessment = assessment_locked(response.assessment_id)
    if not assessment.is_editable:
        raise AssessmentNotEditable(assessment)
    return assessment, role_needed(user, assessment, need)


@transaction.atomic
def evidence_add_file(
    *,
    response: Response,
    user,
    uploaded_file,
    title: str = "",
    dated: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> Evidence:
    """Store an uploaded file privately as evidence, after checking what it really is. `dated`: the date it speaks
    for (today unless given); `valid_until`: its last valid day, after which it no longer counts."""
    dates = _dates(dated, valid_until)
    assessment, _ = _evidence_target(response=response, user=user, need=Need.EDIT)
    detected = validate_upload(uploaded_file, max_bytes=settings.EVIDENCE_MAX_BYTES)
    original = display_filename(uploaded_file.name)
    evidence = Evidence(
        response=response,
        kind=Evidence.Kind.FILE,
        title=(title or "").strip()[:200] or original,
        original_filename=original,
        size=uploaded_file.size,
        content_type=detected.content_type,
        sha256=file_sha256(uploaded_file),
        uploaded_by=user,
        **dates,
    )
    evidence.file.save("upload", uploaded_file, save=False)
    try:
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    event = audit_event(
        action="evidence.add",
        actor=user,
        obj=evidence,
        site=assessment.site,
        summary=f"{response.item.code}: added file {original} ({evidence.size} bytes)",
        after={
            "response": response.pk,
            "title": evidence.title,
            "file": original,
            "content_type": evidence.content_type,
            "size": evidence.size,
            "sha256": evidence.sha256,
            **_dates_audited(evidence),
        },
    )
    change_record(assessment=assessment, section_id=response.item.section_id, events=[event], cause=response.item.code)
    return evidence


@transaction.atomic
def evidence_add_link(
    *,
    response: Response,
    user,
    url: str,
    title: str = "",
    dated: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> Evidence:
    """Record a link (http or https only) as evidence, with its dates as for a file."""
    dates = _dates(dated, valid_until)
    assessment, _ = _evidence_target(response=response, user=user, need=Need.EDIT)
    url = (url or "").strip()
    URLValidator(schemes=["http", "https"], message="Enter a web address that starts with http:// or https://")(url)
    evidence = Evidence.objects.create(
        response=response,
        kind=Evidence.Kind.LINK,
        title=(title or "").strip()[:200] or url[:200],
        url=url,
        uploaded_by=user,
        **dates,
    )
    event = audit_event(
        action="evidence.add",
        actor=user,
        obj=evidence,
        site=assessment.site,
        summary=f"{response.item.code}: added link {url[:200]}",
        after={"response": response.pk, "title": evidence.title, "url": url, **_dates_audited(evidence)},
    )
    change_record(assessment=assessment, section_id=response.item.section_id, events=[event], cause=response.item.code)
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, user) -> Evidence:
    """Withdraw evidence: people remove their own, managers any of their site's. The row and file are kept."""
    evidence = Evidence.objects.select_for_update(of=("self",)).select_related("response__item").get(pk=evidence.pk)
    assessment, role = _evidence_target(response=evidence.response, user=user, need=Need.EDIT)
    if role != SiteRole.MANAGER and evidence.uploaded_by_id != user.pk:
        raise PermissionDenied("You can remove only evidence you added; ask a pilot manager to remove this.")
    if evidence.removed_at is not None:
        return evidence
    evidence.removed_at = timezone.now()
    evidence.removed_by = user
    evidence.save(update_fields=["removed_at", "removed_by"])
    event = audit_event(
        action="evidence.remove",
        actor=user,
        obj=evidence,
        site=assessment.site,
        summary=f"{evidence.response.item.code}: removed {evidence.title}",
        before={"title": evidence.title, "sha256": evidence.sha256, "url": evidence.url, "removed": False},
        after={"removed": True},
    )
    change_record(
        assessment=assessment,
        section_id=evidence.response.item.section_id,
        events=[event],
        cause=evidence.response.item.code,
    )
    return evidence

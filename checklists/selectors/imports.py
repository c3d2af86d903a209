"""Reads for a checklist spreadsheet import: the plan of what a file would change, and a pending import."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from checklists.models import Assessment, ChecklistImport, Response
from checklists.rules.answers import OWNER_ROLES
from checklists.rules.imports import (
    KIND_TEMPLATE,
    Current,
    ImportRefused,
    Person,
    RowError,
    check_file,
    compare_rows,
    read_workbook,
)
from phb_readiness.sites.models import Membership, SiteRole


@dataclass
class ImportPlan:
    """What a file would change: one entry per changed item (old beside new), the errors that stop it, and how
    many of its rows leave their item as it is."""

    assessment: Assessment
    filename: str
    sha256: str
    kind: str
    entries: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unchanged: int = 0

    @property
    def conflicts(self) -> list[dict]:
        return [e for e in self.entries if e["conflict"]]

    @property
    def changes(self) -> list[dict]:
        return [e for e in self.entries if not e["conflict"] and not e.get("carried")]

    @property
    def carried(self) -> list[dict]:
        """Answers carried forward from the last round that the file leaves as they are."""
        return [e for e in self.entries if e.get("carried")]


def _person(user) -> Person:
    return Person(id=user.pk, name=user.get_full_name().strip(), username=user.get_username(), email=user.email or "")


def import_plan(*, assessment: Assessment, role: SiteRole, data: bytes, filename: str) -> ImportPlan:
    """Check and read a spreadsheet and compare it with the assessment's answers (two queries). Raises
    ImportRefused, with one sentence, for a file refused whole; nothing is written either way."""
    check_file(
        data,
        name=filename,
        max_bytes=settings.PHB_IMPORT_MAX_BYTES,
        max_unpacked=settings.PHB_IMPORT_MAX_UNPACKED_BYTES,
    )
    responses = list(Response.objects.filter(assessment=assessment).select_related("item", "owner"))
    parsed = read_workbook(data, max_rows=len(responses))
    site, framework = assessment.site, assessment.framework
    if parsed.site_code != site.code:
        raise ImportRefused(
            f"This spreadsheet is the checklist of {parsed.site_code or 'another site'}, not {site.code}. Download "
            f"{site.code}'s checklist or blank template and fill that in."
        )
    if parsed.framework_version != framework.version:
        raise ImportRefused(
            f"This spreadsheet was made for version {parsed.framework_version or '(none)'} of the checklist; "
            f"{site.code}'s {assessment.round_label} uses version {framework.version}. Download it again."
        )
    people = [
        _person(m.user)
        for m in Membership.objects.filter(site=site, role__in=OWNER_ROLES, user__is_active=True).select_related("user")
    ]
    current = {
        r.item.code: Current(
            response_id=r.pk,
            item=r.item,
            status=r.status,
            narrative=r.narrative,
            not_applicable_reason=r.not_applicable_reason,
            owner_id=r.owner_id,
            due_date=r.due_date,
            version=r.version,
            carried_forward=r.carried_forward,
        )
        for r in responses
    }
    owner_names = {r.owner_id: (r.owner.get_full_name() or r.owner.get_username()) for r in responses if r.owner}
    entries, errors, unchanged = compare_rows(
        parsed=parsed,
        current=current,
        people=people,
        owner_names=owner_names,
        may_assign_owner=role == SiteRole.MANAGER,
    )
    return ImportPlan(
        assessment=assessment,
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        kind=parsed.kind if parsed.kind == KIND_TEMPLATE else "export",
        entries=entries,
        errors=errors,
        unchanged=unchanged,
    )


def import_expiry_cutoff():
    return timezone.now() - datetime.timedelta(seconds=settings.PHB_IMPORT_TTL_SECONDS)


def pending_import_for(*, user, assessment: Assessment, pk: int) -> ChecklistImport:
    """The person's own pending import into this assessment, not yet expired; 404 otherwise (one query)."""
    pending = ChecklistImport.objects.filter(
        pk=pk, assessment=assessment, uploaded_by=user, created_at__gte=import_expiry_cutoff()
    ).first()
    if pending is None:
        raise Http404("No such import, or it has expired.")
    return pending


def latest_assessment_of(site) -> Assessment | None:
    """A site's newest assessment (the one imports go into), with its site and framework."""
    return (
        Assessment.objects.filter(site=site).select_related("site", "framework").order_by("-created_at", "-id").first()
    )

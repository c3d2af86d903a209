"""Reads of answering the checklist: the task list with its filters, the item page, who may own an item."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from checklists.models import Assessment, Comment, Evidence, Response, SignOff
from checklists.readiness import AssessmentReadiness, SectionReadiness, assessment_readiness
from checklists.rules.answers import EDITABLE_FIELDS, OWNER_ROLES
from checklists.selectors.frameworks import framework_structure
from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.stamps import StampedMemo
from phb_readiness.sites.models import PilotSite


@dataclass
class ItemRow:
    response: Response
    evidence_count: int
    comment_count: int
    open_concerns: int
    url: str = ""


@dataclass
class OverviewSection:
    readiness: SectionReadiness
    rows: list[ItemRow]


@dataclass
class OverviewFilters:
    section: str = ""
    status: str = ""
    mine: bool = False
    overdue: bool = False
    concerns: bool = False

    @property
    def active(self) -> bool:
        return bool(self.section or self.status or self.mine or self.overdue or self.concerns)

    def keep(self, row: ItemRow, *, user) -> bool:
        response = row.response
        return (
            (not self.section or response.item.section.code == self.section)
            and (not self.status or response.status == self.status)
            and (not self.mine or response.owner_id == user.pk)
            and (not self.overdue or response.is_overdue)
            and (not self.concerns or row.open_concerns > 0)
        )


@dataclass
class Overview:
    readiness: AssessmentReadiness
    sections: list[OverviewSection]
    shown: int
    total: int


@dataclass(frozen=True)
class TaskList:
    """An assessment's whole task list as read from the database, before any filter: readiness and each section's
    rows."""

    readiness: AssessmentReadiness
    rows: dict[int, list[ItemRow]]  # by section id
    total: int


# Task lists kept per process under (assessment, site data stamp, date): a change at the site means a new stamp
# (phb_readiness.audit.stamps), and "overdue" moves on with the date. Pages filter them per request and only read
# the model instances they hold. One thing the stamp does not see: a person renamed in the admin shows under the
# new name once the site next changes.
_TASK_LISTS = StampedMemo(size=256)


def task_list_memo_clear() -> None:
    _TASK_LISTS.clear()


def _task_list_read(assessment: Assessment) -> TaskList:
    """Five queries whatever the assessment's size."""
    structure = framework_structure(assessment.framework)
    order = {item.id: n for n, item in enumerate(structure.items)}
    responses = sorted(
        Response.objects.filter(assessment=assessment).select_related("owner"), key=lambda r: order[r.item_id]
    )
    for response in responses:
        response.item = structure.items_by_id[response.item_id]
    evidence: dict[int, list[Evidence]] = {}
    for ev in (
        Evidence.objects.current()
        .filter(response__assessment=assessment)
        .only("id", "response_id", "sha256", "url", "kind")
    ):
        evidence.setdefault(ev.response_id, []).append(ev)
    comment_counts = {
        row["response_id"]: row
        for row in Comment.objects.filter(response__assessment=assessment)
        .values("response_id")
        .annotate(total=Count("id"), open=Count("id", filter=Q(is_concern=True) & ~Q(concern_state="closed")))
    }
    signoffs = list(SignOff.objects.filter(assessment=assessment).select_related("signed_by"))
    readiness = assessment_readiness(
        sections=structure.sections,
        responses=responses,
        evidence=evidence,
        open_concerns={rid: row["open"] for rid, row in comment_counts.items()},
        signoffs=signoffs,
    )
    # One reverse() for all the item links, not one a row (a tenth of the page's time): each code is quoted in.
    url_pattern = reverse("checklists:item", args=[assessment.pk, "CODE"])
    rows = {
        section_readiness.section.id: [
            ItemRow(
                response=r,
                evidence_count=len(evidence.get(r.id, [])),
                comment_count=comment_counts.get(r.id, {}).get("total", 0),
                open_concerns=comment_counts.get(r.id, {}).get("open", 0),
                url=url_pattern.replace("/CODE/", f"/{quote(r.item.code, safe='')}/"),
            )
            for r in section_readiness.responses
        ]
        for section_readiness in readiness.sections
    }
    return TaskList(readiness=readiness, rows=rows, total=len(responses))


def assessment_overview(
    *, assessment: Assessment, user, filters: OverviewFilters | None = None, stamp: str | None = None
) -> Overview:
    """The task list of an assessment with readiness, counts and filters. `stamp` is the site's data stamp, read
    before this call (site_data_stamp_of): with it, the unchanged task list of an earlier request is reused."""
    filters = filters or OverviewFilters()
    key = (assessment.pk, stamp, timezone.localdate())
    task_list = _TASK_LISTS.get(key) if stamp else None
    if task_list is None:
        task_list = _task_list_read(assessment)
        if stamp:
            _TASK_LISTS.put(key, task_list)
    result = []
    shown = 0
    for section_readiness in task_list.readiness.sections:
        rows = [row for row in task_list.rows[section_readiness.section.id] if filters.keep(row, user=user)]
        shown += len(rows)
        if not filters.section or filters.section == section_readiness.section.code:
            result.append(OverviewSection(readiness=section_readiness, rows=rows))
    return Overview(readiness=task_list.readiness, sections=result, shown=shown, total=task_list.total)


def site_owners(*, site: PilotSite):
    """The people who may own an item: the site's managers and contributors."""
    return (
        get_user_model()
        .objects.filter(memberships__site=site, memberships__role__in=OWNER_ROLES, is_active=True)
        .order_by("first_name", "last_name", "username")
    )


@dataclass
class ItemPage:
    response: Response
    previous_code: str | None
    next_code: str | None
    position: int
    total: int

    @cached_property
    def evidence(self) -> list[Evidence]:
        """The response's current evidence, read when the page is shown (a successful save redirects instead)."""
        return list(Evidence.objects.current().filter(response_id=self.response.pk).select_related("uploaded_by"))


def item_page_for(*, response: Response) -> ItemPage:
    """The item page of a response (its assessment and item loaded): its place among the framework's items."""
    codes = framework_structure(response.assessment.framework).codes
    index = codes.index(response.item.code)
    return ItemPage(
        response=response,
        previous_code=codes[index - 1] if index > 0 else None,
        next_code=codes[index + 1] if index + 1 < len(codes) else None,
        position=index + 1,
        total=len(codes),
    )


def response_changes_since(*, response: Response, version: int) -> dict[str, object]:
    """The fields others changed on a response after `version`, each with its value at that version (audit trail).

    Values are as the audit trail holds them: owner as a user id, dates as ISO strings.
    """
    base: dict[str, object] = {}
    events = AuditEvent.objects.filter(
        action="response.update", object_type=Response._meta.label_lower, object_id=str(response.pk)
    ).order_by("id")
    for before, after in events.values_list("before", "after"):
        if (after or {}).get("version", 0) > version:
            for name in set(after) - {"version"}:
                base.setdefault(name, (before or {}).get(name))
    return {name: base[name] for name in EDITABLE_FIELDS if name in base}


def item_url(assessment_id: int, code: str) -> str | None:
    try:
        return reverse("checklists:item", args=[assessment_id, code])
    except NoReverseMatch:
        return None


def task_list_url(assessment_id: int) -> str | None:
    try:
        return reverse("checklists:assessment", args=[assessment_id])
    except NoReverseMatch:
        return None

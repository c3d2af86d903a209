"""Reads of answering the checklist: the task list with its filters, the item page, who may own an item."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from checklists.models import (
    Assessment,
    Comment,
    Evidence,
    Readiness,
    Response,
    ReviewQuery,
    Section,
    SectionFigures,
)
from checklists.rules.answers import EDITABLE_FIELDS, OWNER_ROLES
from checklists.selectors.frameworks import framework_structure
from phb_readiness.audit.models import AuditEvent
from phb_readiness.sites.models import PilotSite


@dataclass
class ItemRow:
    response: Response
    evidence_count: int
    comment_count: int
    open_concerns: int
    url: str = ""
    open_queries: int = 0  # the reviewer's queries on the item still waiting for the site's answer
    evidence_in_force: int = 0  # not removed and not expired: the evidence that counts
    expired_on: datetime.date | None = None  # the latest valid-until date of its expired evidence

    @property
    def evidence_missing(self) -> bool:
        """The item expects evidence, applies here, and has none in force (the readiness rule's)."""
        r = self.response
        return r.item.evidence_expected and r.status != Response.Status.NOT_APPLICABLE and not self.evidence_in_force


@dataclass
class OverviewSection:
    readiness: SectionFigures
    rows: list[ItemRow]  # those the filters keep
    latest: Response | None = None  # the section's most recently changed response, filtered or not


@dataclass
class OverviewFilters:
    section: str = ""
    status: str = ""
    mine: bool = False
    overdue: bool = False
    concerns: bool = False
    carried: bool = False  # only answers carried forward from the last round and not yet confirmed
    provenance: str = ""  # only items from this source (Item.Provenance); read from the memoised items, no query

    @property
    def active(self) -> bool:
        return bool(
            self.section or self.status or self.mine or self.overdue or self.concerns or self.carried or self.provenance
        )

    def keep(self, row: ItemRow, *, user) -> bool:
        response = row.response
        return (
            (not self.section or response.item.section.code == self.section)
            and (not self.status or response.status == self.status)
            and (not self.mine or response.owner_id == user.pk)
            and (not self.overdue or response.is_overdue)
            and (not self.concerns or row.open_concerns > 0)
            and (not self.carried or response.carried_forward)
            and (not self.provenance or response.item.provenance == self.provenance)
        )


@dataclass
class Overview:
    readiness: Readiness
    sections: list[OverviewSection]
    shown: int
    total: int
    queried: list[ItemRow] = field(default_factory=list)  # every item with an open query, filtered or not


def _count(queryset) -> Coalesce:
    """A correlated count of rows of `queryset` per response (a subquery, so the task list is one query)."""
    counted = queryset.filter(response=OuterRef("pk")).order_by().values("response").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


TASK_LIST_FIELDS = (
    "id",
    "assessment_id",
    "item_id",
    "status",
    "owner_id",
    "due_date",
    "carried_forward",
    "version",
    "updated_at",
    "owner__id",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)


def task_list_rows(assessment: Assessment) -> dict[int, list[ItemRow]]:
    """Each section's rows (by section id), with each item's evidence, comment and open-concern counts: one query."""
    structure = framework_structure(assessment.framework)
    order = {item.id: n for n, item in enumerate(structure.items)}
    today = timezone.localdate()
    responses = sorted(
        Response.objects.filter(assessment=assessment)
        .select_related("owner")
        # What a row shows: not the narrative (often long) nor the owner's other columns.
        .only(*TASK_LIST_FIELDS)
        .annotate(
            evidence_count=_count(Evidence.objects.current()),
            evidence_in_force=_count(Evidence.objects.in_force(today)),
            expired_on=Subquery(
                Evidence.objects.lapsed(today)
                .filter(response=OuterRef("pk"))
                .order_by("-valid_until")
                .values("valid_until")[:1]
            ),
            comment_count=_count(Comment.objects.all()),
            open_concern_count=_count(Comment.objects.open_concerns()),
            open_query_count=_count(ReviewQuery.objects.filter(state=ReviewQuery.State.OPEN)),
        ),
        key=lambda r: order[r.item_id],
    )
    # One reverse() for all the item links, not one a row: each code is quoted in.
    url_pattern = reverse("checklists:item", args=[assessment.pk, "CODE"])
    rows: dict[int, list[ItemRow]] = {section.id: [] for section in structure.sections}
    for r in responses:
        r.item = structure.items_by_id[r.item_id]
        rows[r.item.section_id].append(
            ItemRow(
                response=r,
                evidence_count=r.evidence_count,
                comment_count=r.comment_count,
                open_concerns=r.open_concern_count,
                url=url_pattern.replace("/CODE/", f"/{quote(r.item.code, safe='')}/"),
                open_queries=r.open_query_count,
                evidence_in_force=r.evidence_in_force,
                expired_on=r.expired_on,
            )
        )
    return rows


def assessment_overview(*, assessment: Assessment, user, filters: OverviewFilters | None = None) -> Overview:
    """The task list of an assessment (its stored readiness loaded) with each section's figures, rows and filters."""
    filters = filters or OverviewFilters()
    rows = task_list_rows(assessment)
    result = []
    shown = 0
    for figures in assessment.readiness.section_figures:
        section_rows = rows.get(figures.section_id, [])
        kept = [row for row in section_rows if filters.keep(row, user=user)]
        shown += len(kept)
        if not filters.section or filters.section == figures.code:
            changed = [row.response for row in section_rows if row.response.version > 1]
            latest = max(changed, key=lambda r: r.updated_at, default=None)
            result.append(OverviewSection(readiness=figures, rows=kept, latest=latest))
    total = sum(len(section_rows) for section_rows in rows.values())
    queried = [row for section_rows in rows.values() for row in section_rows if row.open_queries]
    return Overview(readiness=assessment.readiness, sections=result, shown=shown, total=total, queried=queried)


def section_responses(assessment: Assessment, section: Section) -> list[Response]:
    """A section's responses (their items loaded), in the framework's order."""
    return list(
        Response.objects.filter(assessment=assessment, item__section=section)
        .select_related("item")
        .order_by("item__position")
    )


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

    @cached_property
    def today(self) -> datetime.date:
        return timezone.localdate()

    @property
    def evidence_missing(self) -> bool:
        """The item expects evidence, applies here, and has none in force (none, or all of it expired)."""
        r = self.response
        return (
            r.item.evidence_expected
            and r.status != Response.Status.NOT_APPLICABLE
            and not any(not ev.is_expired(self.today) for ev in self.evidence)
        )


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

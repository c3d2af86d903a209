"""Reads for the national overview and the reports, each in a fixed number of queries whatever the data size.

Every site query starts at PilotSite.objects.visible_to(user); a report rendered by a worker is scoped by the
region recorded on its row instead (the worker has no user to scope by).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Avg, Count, F, FilteredRelation, OrderBy, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone

from checklists.models import (
    Assessment,
    Comment,
    Evidence,
    Readiness,
    Response,
    ReviewEvent,
    ReviewQuery,
    Section,
    SectionFigures,
    SignOff,
    percent,
)
from checklists.rules.access import ALLOWED, Need
from checklists.rules.imports import (
    ABOUT_FRAMEWORK,
    ABOUT_FRAMEWORK_VERSION,
    ABOUT_KIND,
    ABOUT_SHEET,
    ABOUT_SITE,
    CHECKLIST_HEADER,
    CHECKLIST_SHEET,
    KIND_EXPORT,
    KIND_TEMPLATE,
)
from checklists.rules.readiness import RAG_RULE, in_force, long_date
from checklists.selectors.review import submit_blockers
from phb_readiness.reports.models import Report
from phb_readiness.reports.verdict import (
    Action,
    ItemFacts,
    Step,
    Verdict,
    outstanding_actions,
    review_history,
    site_verdict,
)
from phb_readiness.sites.models import Membership, PilotSite, Region, reviewer_scope_of


def data_sha256(canonical: object) -> str:
    payload = json.dumps(canonical, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def may_see_programme(user) -> bool:
    """Reviewers and staff-side observers (national or regional) and administrators see the overview and request
    national reports of their scope."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or reviewer_scope_of(user) is not None


def national_scope_region(user) -> Region | None:
    """The region a person's overview and national reports cover; None for the whole country."""
    scope = reviewer_scope_of(user)
    if user.is_superuser or scope is None:
        return None
    return scope.region


def latest_assessments(sites: Iterable[PilotSite]) -> dict[int, Assessment]:
    """The newest assessment of each site (its `site` set to the one given), in one query."""
    by_id = {s.id: s for s in sites}
    latest = {}
    for assessment in Assessment.objects.filter(readiness__is_latest=True, readiness__site_id__in=list(by_id)).defer(
        "return_reasons"
    ):
        assessment.site = by_id[assessment.site_id]
        latest[assessment.site_id] = assessment
    return latest


def with_latest_readiness(sites: QuerySet[PilotSite]) -> QuerySet[PilotSite]:
    """Sites joined to the stored readiness of their newest assessment (`latest`, absent for a site with none)."""
    return sites.annotate(latest=FilteredRelation("readiness_records", condition=Q(readiness_records__is_latest=True)))


@dataclass(frozen=True, slots=True)
class Cell:
    """A section's rating and share in place, as an overview cell shows it."""

    rag: str
    percent_in_place: int


@dataclass
class OverviewRow:
    """One site of the overview: its newest assessment's stored readiness, and a cell per column."""

    site: PilotSite
    readiness: Readiness | None
    cells: list[Cell | None]

    @property
    def assessment(self) -> Assessment | None:
        return self.readiness.assessment if self.readiness else None

    @property
    def rag(self) -> str:
        return self.readiness.rag if self.readiness else ""

    @property
    def percent(self) -> int | None:
        return self.readiness.percent_in_place if self.readiness else None

    @property
    def open_concerns(self) -> int:
        return self.readiness.open_concerns if self.readiness else 0

    @property
    def state(self) -> str:
        return self.assessment.state if self.assessment else ""

    @property
    def last_change(self) -> datetime.datetime | None:
        return self.readiness.last_change if self.readiness else None


@dataclass(frozen=True)
class Column:
    code: str
    title: str
    position: int


@dataclass
class RegionSummary:
    """A region's sites by readiness, aggregated in SQL."""

    region_code: str
    region_name: str
    sites: int = 0
    assessed: int = 0
    red: int = 0
    amber: int = 0
    green: int = 0
    submitted: int = 0
    accepted: int = 0
    open_concerns: int = 0
    average_percent: int = 0


@dataclass
class Overview:
    columns: list[Column]
    rows: list[OverviewRow]
    page: Page | None = None
    regions: list[Region] = field(default_factory=list)
    figures: list[RegionSummary] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.page.paginator.count if self.page is not None else len(self.rows)


PER_PAGE = 50
_NAME = Lower("name")
SORTS: dict[str, list] = {
    "site": [_NAME.asc(), "pk"],
    "region": ["region__name", _NAME.asc(), "pk"],
    "progress": [F("latest__percent_in_place").asc(nulls_first=True), _NAME.asc(), "pk"],
    "rag": [F("latest__rag_rank").asc(nulls_last=True), _NAME.asc(), "pk"],
    "concerns": [F("latest__open_concerns").asc(nulls_first=True), _NAME.asc(), "pk"],
    "changed": [F("latest__last_change").asc(nulls_first=True), _NAME.asc(), "pk"],
}


def _reversed(order: list) -> list:
    flipped = []
    for term in order:
        if isinstance(term, str):
            flipped.append(f"-{term}")
        elif isinstance(term, OrderBy):
            flipped.append(
                OrderBy(
                    term.expression,
                    descending=not term.descending,
                    nulls_first=term.nulls_last or None,
                    nulls_last=term.nulls_first or None,
                )
            )
        else:
            flipped.append(term.desc())
    return flipped


def overview_sites(
    *, sites: QuerySet[PilotSite], region_code: str = "", state: str = "", rag: str = "", sort: str = "site"
) -> QuerySet[PilotSite]:
    """The overview's sites, filtered and sorted in SQL on their newest assessment's stored readiness."""
    rows = with_latest_readiness(sites).select_related("region")
    if region_code:
        rows = rows.filter(region__code=region_code)
    if state:
        rows = rows.filter(latest__assessment__state=state)
    if rag:
        rows = rows.filter(latest__rag=rag)
    order = SORTS.get(sort.removeprefix("-"), SORTS["site"])
    return rows.order_by(*(_reversed(order) if sort.startswith("-") else order)).annotate(
        latest_assessment_id=F("latest__assessment_id")
    )


def overview_rows(sites: Iterable[PilotSite]) -> tuple[list[Column], list[OverviewRow]]:
    """Rows for sites from overview_sites, their readiness (with its assessment) read in one query; the columns are
    the sections of the frameworks shown, in order. Cells come straight from the stored per-section figures."""
    sites = list(sites)
    readiness = {
        r.assessment_id: r
        for r in Readiness.objects.filter(
            assessment_id__in=[s.latest_assessment_id for s in sites if s.latest_assessment_id]
        )
        .select_related("assessment")
        .defer("assessment__return_reasons")
    }
    columns: dict[str, Column] = {}
    for r in readiness.values():
        for entry in r.sections:
            if entry["code"] not in columns:
                columns[entry["code"]] = Column(entry["code"], entry["title"], entry["position"])
    ordered = sorted(columns.values(), key=lambda c: c.position)
    rows = []
    for site in sites:
        r = readiness.get(site.latest_assessment_id)
        cells: dict[str, Cell] = {}
        if r is not None:
            r.assessment.site = site
            cells = {e["code"]: Cell(e["rag"], percent(e["in_place"], e["applicable"])) for e in r.sections}
        rows.append(OverviewRow(site=site, readiness=r, cells=[cells.get(c.code) for c in ordered]))
    return ordered, rows


def region_figures(sites: QuerySet[PilotSite]) -> list[RegionSummary]:
    """Each region's sites by readiness and state, in one grouped query."""
    state = "latest__assessment__state"
    rows = (
        with_latest_readiness(sites)
        .order_by()
        .values("region__code", "region__name")
        .annotate(
            n_sites=Count("pk"),
            assessed=Count("latest__pk"),
            red=Count("pk", filter=Q(latest__rag="red")),
            amber=Count("pk", filter=Q(latest__rag="amber")),
            green=Count("pk", filter=Q(latest__rag="green")),
            submitted=Count("pk", filter=Q(**{state: Assessment.State.SUBMITTED})),
            accepted=Count("pk", filter=Q(**{state: Assessment.State.ACCEPTED})),
            concerns=Coalesce(Sum("latest__open_concerns"), 0),
            average=Avg("latest__percent_in_place"),
        )
        .order_by("region__name")
    )
    return [
        RegionSummary(
            region_code=row["region__code"],
            region_name=row["region__name"],
            sites=row["n_sites"],
            assessed=row["assessed"],
            red=row["red"],
            amber=row["amber"],
            green=row["green"],
            submitted=row["submitted"],
            accepted=row["accepted"],
            open_concerns=row["concerns"],
            average_percent=round(row["average"] or 0),
        )
        for row in rows
    ]


def overview_page(*, sites: QuerySet[PilotSite], page_number=1, **filters) -> Overview:
    """A page of the national overview (50 sites), with the figures of each region in scope."""
    page = Paginator(overview_sites(sites=sites, **filters), PER_PAGE).get_page(page_number)
    columns, rows = overview_rows(page.object_list)
    return Overview(columns=columns, rows=rows, page=page, figures=region_figures(sites))


def overview_all(*, sites: QuerySet[PilotSite], **filters) -> Overview:
    """Every site of the overview, for CSV and XLSX."""
    columns, rows = overview_rows(overview_sites(sites=sites, **filters))
    return Overview(columns=columns, rows=rows)


def overview_table(overview: Overview) -> tuple[list[str], list[list]]:
    """The overview as a plain table (for CSV and XLSX)."""
    header = ["Site code", "Site", "Region", "Round", "State", "Overall RAG", "% in place", "Open concerns"]
    header.append("Evidence missing")
    header += [f"{c.code} RAG" for c in overview.columns] + [f"{c.code} % in place" for c in overview.columns]
    header.append("Last change")
    rows = []
    for row in overview.rows:
        rags = [c.rag.capitalize() if c else "" for c in row.cells]
        percents = [c.percent_in_place if c else "" for c in row.cells]
        rows.append(
            [
                row.site.code,
                row.site.name,
                row.site.region.name,
                row.assessment.round_label if row.assessment else "",
                row.assessment.get_state_display() if row.assessment else "No assessment",
                row.readiness.rag.label if row.readiness else "",
                row.percent if row.percent is not None else "",
                row.open_concerns,
                row.readiness.evidence_missing if row.readiness else "",
                *rags,
                *percents,
                timezone.localtime(row.last_change).strftime("%Y-%m-%d %H:%M") if row.last_change else "",
            ]
        )
    return header, rows


# --- Site report -------------------------------------------------------------------------------------------


@dataclass
class ItemEntry:
    response: Response
    evidence: list[Evidence]  # not removed: expired evidence is listed, marked so
    comments: list[Comment]
    today: datetime.date | None = None

    @property
    def in_force(self) -> list[Evidence]:
        return in_force(self.evidence, self.today or timezone.localdate())

    @property
    def lacks_evidence(self) -> bool:
        """Evidence is expected, the item applies here, and none is in force (the readiness rule's)."""
        r = self.response
        return r.item.evidence_expected and not self.in_force and r.status != Response.Status.NOT_APPLICABLE


@dataclass
class SectionEntry:
    section: Section
    figures: SectionFigures
    items: list[ItemEntry]
    signoffs: list[SignOff]


@dataclass
class SiteReportData:
    assessment: Assessment
    readiness: Readiness
    sections: list[SectionEntry]
    assessment_signoffs: list[SignOff]
    open_concerns: list[Comment]
    sources: list[dict]
    as_of: datetime.datetime
    verdict: Verdict
    history: list[Step]
    actions: list[Action]
    issuer: str = ""
    verify_address: str = ""
    rag_rule: str = RAG_RULE
    sha256: str = ""


def site_report_data(assessment: Assessment) -> SiteReportData:
    """Everything the site report prints, its readiness as stored, in six queries whatever the number of items,
    comments or evidence (seven when an item blocks submission: the submit blockers read those items)."""
    as_of = timezone.now()
    assessment = Assessment.objects.select_related("site__region", "framework", "reviewed_by", "readiness").get(
        pk=assessment.pk
    )
    sections = list(Section.objects.filter(framework_id=assessment.framework_id).order_by("position"))
    responses = list(
        Response.objects.filter(assessment=assessment)
        .select_related("item", "owner")
        .order_by("item__section__position", "item__position")
    )
    for response in responses:
        response.item.source_title = assessment.framework.source_title(response.item.source_key)
    evidence: dict[int, list[Evidence]] = {}
    for ev in Evidence.objects.current().filter(response__assessment=assessment).select_related("uploaded_by"):
        evidence.setdefault(ev.response_id, []).append(ev)
    comments: dict[int, list[Comment]] = {}
    by_id = {r.id: r for r in responses}
    for comment in (
        Comment.objects.filter(response__assessment=assessment)
        .select_related("author", "answered_by", "closed_by")
        .order_by("created_at", "id")
    ):
        comment.response = by_id[comment.response_id]  # the report names each open concern's item
        comments.setdefault(comment.response_id, []).append(comment)
    signoffs = list(SignOff.objects.filter(assessment=assessment).select_related("signed_by", "section"))
    readiness = assessment.readiness
    figures = {f.section_id: f for f in readiness.section_figures}
    entries = [
        SectionEntry(
            section=section,
            figures=figures[section.id],
            items=[
                ItemEntry(r, evidence.get(r.id, []), comments.get(r.id, []), today=timezone.localdate(as_of))
                for r in responses
                if r.item.section_id == section.id
            ],
            signoffs=[s for s in signoffs if s.section_id == section.id],
        )
        for section in sections
    ]
    today = timezone.localdate(as_of)
    facts = [
        ItemFacts(
            response=e.response,
            evidence=len(e.in_force),
            open_concerns=sum(c.is_open_concern for c in e.comments),
            section_position=s.section.position,
        )
        for s in entries
        for e in s.items
    ]
    assessment_signoffs = [s for s in signoffs if s.section_id is None]
    data = SiteReportData(
        assessment=assessment,
        readiness=readiness,
        sections=entries,
        assessment_signoffs=assessment_signoffs,
        open_concerns=[c for cs in comments.values() for c in cs if c.is_open_concern],
        sources=list(assessment.framework.sources),
        as_of=as_of,
        verdict=site_verdict(
            assessment=assessment,
            sections=readiness.section_figures,
            blockers=submit_blockers(assessment=assessment, readiness=readiness),
            items=facts,
            today=today,
        ),
        history=review_history(
            assessment,
            events=list(ReviewEvent.objects.filter(assessment=assessment).select_related("by")),
            queries=list(
                ReviewQuery.objects.filter(assessment=assessment)
                .select_related("response__item")
                .order_by("response__item__section__position", "response__item__position", "id")
            ),
        ),
        actions=outstanding_actions(items=facts, sections=readiness.section_figures, today=today),
        issuer=settings.PHB_ISSUER_NAME,
        verify_address=settings.PHB_BASE_URL.rstrip("/") + reverse("reports:verify"),
    )
    data.sha256 = data_sha256(_site_canonical(data))
    return data


def _site_canonical(data: SiteReportData) -> dict:
    a = data.assessment
    return {
        "assessment": a.pk,
        "site": [a.site.code, a.site.name, a.site.region.name],
        "round": a.round_label,
        "state": a.state,
        "return_reasons": a.return_reasons,
        "framework": [a.framework.slug, a.framework.version, a.framework.content_sha256],
        "items": [
            {
                "item": e.response.item.code,
                "status": e.response.status,
                "narrative": e.response.narrative,
                "not_applicable_reason": e.response.not_applicable_reason,
                "owner": e.response.owner.get_full_name() if e.response.owner else "",
                "due_date": e.response.due_date,
                "evidence": [[ev.id, ev.title, ev.sha256 or ev.url, str(ev.valid_until or "")] for ev in e.evidence],
                "comments": [[c.id, c.body, c.concern_state, c.answer] for c in e.comments],
            }
            for s in data.sections
            for e in s.items
        ],
        "signoffs": sorted([s.id, s.kind, s.content_sha256] for sec in data.sections for s in sec.signoffs)
        + [[s.id, s.kind, s.content_sha256] for s in data.assessment_signoffs],
    }


# --- Who may see which reports -----------------------------------------------------------------------------

# The site roles that may request (and so see) a site's reports, from the one access table.
SITE_REPORT_ROLES = [role.value for role in ALLOWED[Need.REQUEST_REPORT] if role.value in Membership.Role.values]


def reports_visible_to(user) -> QuerySet[Report]:
    """Reports a person may see and download: site reports of sites where their role may request them, and
    national reports of their scope (national reviewers and administrators: all of them)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Report.objects.none()
    visible = Q(kind=Report.Kind.SITE, site__memberships__user=user, site__memberships__role__in=SITE_REPORT_ROLES)
    scope = reviewer_scope_of(user)
    if user.is_superuser or (scope is not None and scope.region_id is None):
        visible |= Q(kind=Report.Kind.NATIONAL)
    if scope is not None:
        if scope.region_id is None:
            visible |= Q(kind=Report.Kind.SITE)
        else:
            visible |= Q(kind=Report.Kind.SITE, site__region_id=scope.region_id)
            visible |= Q(kind=Report.Kind.NATIONAL, region_id=scope.region_id)
    ids = Report.objects.filter(visible).values("id")
    return Report.objects.filter(id__in=ids).select_related("site", "region", "requested_by", "assessment")


def report_for(user, pk: int) -> Report | None:
    return reports_visible_to(user).filter(pk=pk).first()


def report_by_sha256(sha256: str) -> Report | None:
    return (
        Report.objects.filter(sha256=sha256, state=Report.State.SUCCEEDED)
        .select_related("site", "region", "assessment")
        .order_by("created_at")
        .first()
    )


def report_issued(pk: int) -> Report | None:
    """A report by its number, if it was issued (rendered and stored)."""
    issued = Report.objects.filter(pk=pk, state=Report.State.SUCCEEDED)
    return issued.select_related("site", "region", "assessment").first()


def _comment_text(comment: Comment) -> str:
    """One comment or concern as the spreadsheet cell shows it: who, in which role, when, what (and the answer)."""
    author = (comment.author.get_full_name() or comment.author.get_username()) if comment.author else "Someone"
    kind = f"Concern ({comment.get_concern_state_display().lower()})" if comment.is_concern else "Comment"
    when = timezone.localtime(comment.created_at)
    text = f"{kind} by {author}, {comment.get_author_role_display()}, {when:%d %b %Y}: {comment.body}"
    return f"{text}\nAnswer: {comment.answer}" if comment.answer else text


def _evidence_text(entry: ItemEntry) -> str:
    """The evidence cell: each piece (with "Expired on" for expired ones), then "Evidence missing" where it is."""
    today = entry.today or timezone.localdate()
    lines = [
        f"{ev.title} ({ev.sha256 or ev.url})"
        + (f" Expired on {long_date(ev.valid_until)}" if ev.is_expired(today) else "")
        for ev in entry.evidence
    ]
    if entry.lacks_evidence:
        lines.append("Evidence missing")
    return "\n".join(lines)


def checklist_tables(data: SiteReportData, *, blank: bool = False) -> list[tuple[str, list[str], list[list]]]:
    """A site's full checklist, its section summary and what an import needs to read it back (each item's code and
    version, the framework version in the About sheet), as tables for a spreadsheet. `blank`: the same checklist
    with empty answers and no versions, a template to fill in."""
    header = list(CHECKLIST_HEADER)
    rows = []
    for section in data.sections:
        for entry in section.items:
            r = entry.response
            question = [
                f"{section.section.code} {section.section.title}",
                r.item.code,
                r.item.question,
                "Yes" if r.item.mandatory else "No",
                "Yes" if r.item.evidence_expected else "No",
            ]
            if blank:
                rows.append([*question, *[None] * (len(header) - len(question))])
                continue
            rows.append(
                [
                    *question,
                    r.get_status_display(),
                    r.narrative,
                    r.not_applicable_reason,
                    (r.owner.get_full_name() or r.owner.get_username()) if r.owner else "",
                    r.due_date,
                    _evidence_text(entry),
                    sum(1 for c in entry.comments if not c.is_concern),
                    sum(1 for c in entry.comments if c.is_open_concern),
                    "\n\n".join(_comment_text(c) for c in entry.comments),
                    r.version,
                ]
            )
    assessment = data.assessment
    about = [
        [ABOUT_KIND, KIND_TEMPLATE if blank else KIND_EXPORT],
        [ABOUT_SITE, assessment.site.code],
        ["Site", assessment.site.name],
        ["Round", assessment.round_label],
        [ABOUT_FRAMEWORK, assessment.framework.name],
        [ABOUT_FRAMEWORK_VERSION, assessment.framework.version],
        ["Written", timezone.localtime(data.as_of).strftime("%d %b %Y %H:%M")],
        [
            "To import",
            "Change Status, Narrative, Why not applicable, Owner and Due date on the Checklist sheet, keep the Item "
            "and Version columns as they are, and upload the file from the checklist's page.",
        ],
    ]
    if blank:
        return [(CHECKLIST_SHEET, header, rows), (ABOUT_SHEET, ["About this file", ""], about)]
    summary_header = ["Section", "Items", "Answered", "In place", "Applicable", "% in place", "Open concerns"]
    summary_header += ["Evidence missing", "Sign-off", "RAG"]
    summary = [
        [
            f"{s.code} {s.title}",
            s.total,
            s.answered,
            s.in_place,
            s.applicable,
            s.percent_in_place,
            s.open_concerns,
            s.evidence_missing,
            s.signoff.label,
            s.rag.label,
        ]
        for s in data.readiness.section_figures
    ]
    return [
        (CHECKLIST_SHEET, header, rows),
        ("Summary", summary_header, summary),
        (ABOUT_SHEET, ["About this file", ""], about),
    ]

"""Reads for the national overview and the reports, each in a fixed number of queries whatever the data size.

Every site query starts at PilotSite.objects.visible_to(user); a report rendered by a worker is scoped by the
region recorded on its row instead (the worker has no user to scope by).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from checklists.models import Assessment, Comment, Evidence, Response, Section, SignOff
from checklists.readiness import RAG_RULE, AssessmentReadiness, SectionReadiness, assessment_readiness
from checklists.rules.access import ALLOWED, Need
from phb_readiness.audit.stamps import StampedMemo, site_data_stamp
from phb_readiness.reports.models import Report
from phb_readiness.sites.models import Membership, PilotSite, Region, reviewer_scope_of


def data_sha256(canonical: object) -> str:
    payload = json.dumps(canonical, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def may_review_nationally(user) -> bool:
    """Reviewers (national or regional) and administrators see the overview and request national reports."""
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
    newest = Assessment.objects.filter(site=OuterRef("site_id")).order_by("-created_at", "-id").values("id")[:1]
    latest = {}
    for assessment in Assessment.objects.filter(site__in=list(by_id), id=Subquery(newest)).defer("return_reasons"):
        assessment.site = by_id[assessment.site_id]
        latest[assessment.site_id] = assessment
    return latest


@dataclass(frozen=True)
class AssessmentSummary:
    """An assessment's readiness as the overview and national report show it: per-section figures without the
    response rows, and the time of its latest change."""

    readiness: AssessmentReadiness
    last_change: datetime.datetime | None


_SUMMARIES = StampedMemo()
OVERVIEW_ROWS_HTML = StampedMemo()


def summary_memo_clear() -> None:
    _SUMMARIES.clear()
    OVERVIEW_ROWS_HTML.clear()


def readiness_many(assessments: Sequence[Assessment]) -> dict[int, AssessmentReadiness]:
    """Full readiness (with response rows) of many assessments in five queries whatever their number."""
    ids = [a.id for a in assessments]
    if not ids:
        return {}
    sections: dict[int, list[Section]] = {}
    for section in Section.objects.filter(framework_id__in={a.framework_id for a in assessments}).order_by("position"):
        sections.setdefault(section.framework_id, []).append(section)
    responses: dict[int, list[Response]] = {}
    for response in (
        Response.objects.filter(assessment_id__in=ids)
        .select_related("item")
        .only(*READINESS_RESPONSE_FIELDS)
        .order_by("item__position")
    ):
        responses.setdefault(response.assessment_id, []).append(response)
    evidence: dict[int, list[Evidence]] = {}
    for ev in (
        Evidence.objects.current().filter(response__assessment_id__in=ids).only("id", "response_id", "sha256", "url")
    ):
        evidence.setdefault(ev.response_id, []).append(ev)
    open_concerns = dict(
        Comment.objects.open_concerns()
        .filter(response__assessment_id__in=ids)
        .values("response_id")
        .annotate(n=Count("id"))
        .values_list("response_id", "n")
    )
    signoffs: dict[int, list[SignOff]] = {}
    for signoff in SignOff.objects.filter(assessment_id__in=ids).only(
        "id", "assessment_id", "section_id", "kind", "created_at", "content_sha256"
    ):
        signoffs.setdefault(signoff.assessment_id, []).append(signoff)
    return {
        a.id: assessment_readiness(
            sections=sections.get(a.framework_id, []),
            responses=responses.get(a.id, []),
            evidence=evidence,
            open_concerns=open_concerns,
            signoffs=signoffs.get(a.id, []),
        )
        for a in assessments
    }


# What readiness reads of a response and its item: 9,150 rows at national scale, so nothing more.
READINESS_RESPONSE_FIELDS = (
    "id",
    "assessment_id",
    "item_id",
    "status",
    "narrative",
    "not_applicable_reason",
    "owner_id",
    "due_date",
    "updated_at",
    "item__id",
    "item__code",
    "item__section_id",
    "item__mandatory",
    "item__position",
)


def _summary(assessment: Assessment, readiness: AssessmentReadiness) -> AssessmentSummary:
    changes = [r.updated_at for s in readiness.sections for r in s.responses]
    changes.append(assessment.updated_at)
    lite = AssessmentReadiness(sections=[replace(s, responses=[], current_signoffs=[]) for s in readiness.sections])
    return AssessmentSummary(readiness=lite, last_change=max(changes))


def readiness_summaries(assessments: Sequence[Assessment], stamps: dict[int, str]) -> dict[int, AssessmentSummary]:
    """Summaries of many assessments: from the memo where their site's data stamp is unchanged, the rest computed
    together in five queries. `stamps` maps site id to site_data_stamp(); a site without one is never memoised."""
    found: dict[int, AssessmentSummary] = {}
    missing: list[Assessment] = []
    for assessment in assessments:
        stamp = stamps.get(assessment.site_id)
        summary = _SUMMARIES.get((assessment.id, stamp)) if stamp else None
        if summary is None:
            missing.append(assessment)
        else:
            found[assessment.id] = summary
    computed = readiness_many(missing)
    for assessment in missing:
        summary = found[assessment.id] = _summary(assessment, computed[assessment.id])
        if stamp := stamps.get(assessment.site_id):
            _SUMMARIES.put((assessment.id, stamp), summary)
    return found


@dataclass
class OverviewRow:
    site: PilotSite
    assessment: Assessment | None
    readiness: AssessmentReadiness | None
    cells: list[SectionReadiness | None]
    last_change: datetime.datetime | None
    html: str = ""  # the row as the overview page shows it (reports.views.overview_rows_html)

    @property
    def stamp(self) -> str | None:
        """The site's data stamp (site_data_stamp): what the row shows cannot change while it stays the same."""
        return getattr(self.site, "data_stamp", None)

    @property
    def rag(self) -> str:
        return self.readiness.rag.value if self.readiness else ""

    @property
    def percent(self) -> int | None:
        return self.readiness.percent_in_place if self.readiness else None

    @property
    def open_concerns(self) -> int:
        return self.readiness.open_concerns if self.readiness else 0

    @property
    def state(self) -> str:
        return self.assessment.state if self.assessment else ""

    def canonical(self) -> dict:
        return {
            "site": self.site.code,
            "assessment": self.assessment.pk if self.assessment else None,
            "state": self.state,
            "sections": [
                [c.section.code, c.rag.value, c.content_sha256, c.signoff.value, c.open_concerns] if c else None
                for c in self.cells
            ],
        }


@dataclass
class Overview:
    columns: list[Section]
    rows: list[OverviewRow]
    regions: list[Region] = field(default_factory=list)


SORTS = {
    "site": lambda r: (r.site.name.lower(),),
    "region": lambda r: (r.site.region.name, r.site.name.lower()),
    "progress": lambda r: (r.percent if r.percent is not None else -1, r.site.name.lower()),
    "rag": lambda r: ({"red": 0, "amber": 1, "green": 2}.get(r.rag, 3), r.site.name.lower()),
    "concerns": lambda r: (r.open_concerns, r.site.name.lower()),
    "changed": lambda r: (r.last_change or datetime.datetime.min.replace(tzinfo=datetime.UTC), r.site.name),
}


def overview_build(
    *,
    sites: QuerySet[PilotSite],
    region_code: str = "",
    state: str = "",
    rag: str = "",
    sort: str = "site",
) -> Overview:
    """Sites as rows and sections as columns, each cell the section's readiness; filtered and sorted."""
    site_list = list(sites.select_related("region").annotate(data_stamp=site_data_stamp()).order_by("name"))
    regions = sorted({s.region for s in site_list}, key=lambda r: r.name)
    if region_code:
        site_list = [s for s in site_list if s.region.code == region_code]
    latest = latest_assessments(site_list)
    summaries = readiness_summaries(list(latest.values()), stamps={s.id: s.data_stamp for s in site_list})
    columns: list[Section] = []
    seen: set[str] = set()
    for summary in summaries.values():
        for section in summary.readiness.sections:
            if section.section.code not in seen:
                seen.add(section.section.code)
                columns.append(section.section)
    columns.sort(key=lambda s: s.position)
    rows = []
    for site in site_list:
        assessment = latest.get(site.id)
        summary = summaries.get(assessment.id) if assessment else None
        by_code = {s.section.code: s for s in summary.readiness.sections} if summary else {}
        rows.append(
            OverviewRow(
                site=site,
                assessment=assessment,
                readiness=summary.readiness if summary else None,
                cells=[by_code.get(c.code) for c in columns],
                last_change=summary.last_change if summary else None,
            )
        )
    if state:
        rows = [r for r in rows if r.state == state]
    if rag:
        rows = [r for r in rows if r.rag == rag]
    key = sort.removeprefix("-")
    rows.sort(key=SORTS.get(key, SORTS["site"]), reverse=sort.startswith("-"))
    return Overview(columns=columns, rows=rows, regions=regions)


def overview_table(overview: Overview) -> tuple[list[str], list[list]]:
    """The overview as a plain table (for CSV and XLSX)."""
    header = ["Site code", "Site", "Region", "Round", "State", "Overall RAG", "% in place", "Open concerns"]
    header += [f"{c.code} RAG" for c in overview.columns] + [f"{c.code} % in place" for c in overview.columns]
    header.append("Last change")
    rows = []
    for row in overview.rows:
        rags = [c.rag.label if c else "" for c in row.cells]
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
    evidence: list[Evidence]
    comments: list[Comment]


@dataclass
class SectionEntry:
    readiness: SectionReadiness
    items: list[ItemEntry]
    signoffs: list[SignOff]


@dataclass
class SiteReportData:
    assessment: Assessment
    readiness: AssessmentReadiness
    sections: list[SectionEntry]
    assessment_signoffs: list[SignOff]
    outstanding: list[Response]
    open_concerns: list[Comment]
    sources: list[dict]
    as_of: datetime.datetime
    rag_rule: str = RAG_RULE
    sha256: str = ""


def site_report_data(assessment: Assessment) -> SiteReportData:
    """Everything the site report prints, in six queries whatever the number of items, comments or evidence."""
    as_of = timezone.now()
    assessment = Assessment.objects.select_related("site__region", "framework", "reviewed_by").get(pk=assessment.pk)
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
    open_concerns: dict[int, int] = {}
    for comment in (
        Comment.objects.filter(response__assessment=assessment)
        .select_related("author", "answered_by", "closed_by")
        .order_by("created_at", "id")
    ):
        comments.setdefault(comment.response_id, []).append(comment)
        if comment.is_open_concern:
            open_concerns[comment.response_id] = open_concerns.get(comment.response_id, 0) + 1
    signoffs = list(SignOff.objects.filter(assessment=assessment).select_related("signed_by", "section"))
    readiness = assessment_readiness(
        sections=sections, responses=responses, evidence=evidence, open_concerns=open_concerns, signoffs=signoffs
    )
    entries = [
        SectionEntry(
            readiness=sr,
            items=[ItemEntry(r, evidence.get(r.id, []), comments.get(r.id, [])) for r in sr.responses],
            signoffs=[s for s in signoffs if s.section_id == sr.section.id],
        )
        for sr in readiness.sections
    ]
    data = SiteReportData(
        assessment=assessment,
        readiness=readiness,
        sections=entries,
        assessment_signoffs=[s for s in signoffs if s.section_id is None],
        outstanding=[
            r for r in responses if r.status not in (Response.Status.IN_PLACE, Response.Status.NOT_APPLICABLE)
        ],
        open_concerns=[c for cs in comments.values() for c in cs if c.is_open_concern],
        sources=list(assessment.framework.sources),
        as_of=as_of,
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
                "evidence": [[ev.id, ev.title, ev.sha256 or ev.url] for ev in e.evidence],
                "comments": [[c.id, c.body, c.concern_state, c.answer] for c in e.comments],
            }
            for s in data.sections
            for e in s.items
        ],
        "signoffs": sorted([s.id, s.kind, s.content_sha256] for sec in data.sections for s in sec.signoffs)
        + [[s.id, s.kind, s.content_sha256] for s in data.assessment_signoffs],
    }


# --- National report ---------------------------------------------------------------------------------------


@dataclass
class RegionFigures:
    region: Region
    sites: int = 0
    assessed: int = 0
    red: int = 0
    amber: int = 0
    green: int = 0
    submitted: int = 0
    accepted: int = 0
    open_concerns: int = 0
    percent_total: int = 0

    @property
    def average_percent(self) -> int:
        return round(self.percent_total / self.assessed) if self.assessed else 0


@dataclass
class NationalReportData:
    region: Region | None
    overview: Overview
    figures: list[RegionFigures]
    totals: RegionFigures
    open_concerns: list[Comment]
    as_of: datetime.datetime
    rag_rule: str = RAG_RULE
    sha256: str = ""


def national_report_data(*, region: Region | None = None) -> NationalReportData:
    """The overview matrix, figures per region and every open concern, for the country or one region."""
    as_of = timezone.now()
    sites = PilotSite.objects.all() if region is None else PilotSite.objects.filter(region=region)
    overview = overview_build(sites=sites, sort="region")
    figures: dict[int, RegionFigures] = {}
    totals = RegionFigures(region=Region(name="All regions"))
    for row in overview.rows:
        fig = figures.setdefault(row.site.region_id, RegionFigures(region=row.site.region))
        for f in (fig, totals):
            f.sites += 1
            if row.readiness:
                f.assessed += 1
                f.percent_total += row.readiness.percent_in_place
                setattr(f, row.rag, getattr(f, row.rag) + 1)
                f.open_concerns += row.open_concerns
            f.submitted += row.state == Assessment.State.SUBMITTED
            f.accepted += row.state == Assessment.State.ACCEPTED
    assessment_ids = [r.assessment.id for r in overview.rows if r.assessment]
    concerns = list(
        Comment.objects.open_concerns()
        .filter(response__assessment_id__in=assessment_ids)
        .select_related("author", "response__item", "response__assessment__site")
        .order_by("response__assessment__site__name", "response__item__section__position", "response__item__position")
    )
    data = NationalReportData(
        region=region,
        overview=overview,
        figures=sorted(figures.values(), key=lambda f: f.region.name),
        totals=totals,
        open_concerns=concerns,
        as_of=as_of,
    )
    data.sha256 = data_sha256(
        {
            "region": region.code if region else None,
            "rows": [r.canonical() for r in overview.rows],
            "concerns": [[c.id, c.body, c.concern_state, c.answer] for c in concerns],
        }
    )
    return data


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


def _comment_text(comment: Comment) -> str:
    """One comment or concern as the spreadsheet cell shows it: who, in which role, when, what (and the answer)."""
    author = (comment.author.get_full_name() or comment.author.get_username()) if comment.author else "Someone"
    kind = f"Concern ({comment.get_concern_state_display().lower()})" if comment.is_concern else "Comment"
    when = timezone.localtime(comment.created_at)
    text = f"{kind} by {author}, {comment.get_author_role_display()}, {when:%d %b %Y}: {comment.body}"
    return f"{text}\nAnswer: {comment.answer}" if comment.answer else text


def checklist_tables(data: SiteReportData) -> list[tuple[str, list[str], list[list]]]:
    """A site's full checklist and its section summary, as tables for a spreadsheet."""
    header = [
        "Section",
        "Item",
        "Question",
        "Mandatory",
        "Evidence expected",
        "Status",
        "Narrative",
        "Why not applicable",
        "Owner",
        "Due date",
        "Evidence (title, SHA-256 or link)",
        "Comments",
        "Open concerns",
        "Comments and concerns (newest last)",
    ]
    rows = []
    for section in data.sections:
        for entry in section.items:
            r = entry.response
            rows.append(
                [
                    f"{section.readiness.section.code} {section.readiness.section.title}",
                    r.item.code,
                    r.item.question,
                    "Yes" if r.item.mandatory else "No",
                    "Yes" if r.item.evidence_expected else "No",
                    r.get_status_display(),
                    r.narrative,
                    r.not_applicable_reason,
                    (r.owner.get_full_name() or r.owner.get_username()) if r.owner else "",
                    r.due_date,
                    "\n".join(f"{ev.title} ({ev.sha256 or ev.url})" for ev in entry.evidence),
                    sum(1 for c in entry.comments if not c.is_concern),
                    sum(1 for c in entry.comments if c.is_open_concern),
                    "\n\n".join(_comment_text(c) for c in entry.comments),
                ]
            )
    summary_header = ["Section", "Items", "Answered", "In place", "Applicable", "% in place", "Open concerns"]
    summary_header += ["Sign-off", "RAG"]
    summary = [
        [
            f"{s.section.code} {s.section.title}",
            s.total,
            s.answered,
            s.in_place,
            s.applicable,
            s.percent_in_place,
            s.open_concerns,
            s.signoff.label,
            s.rag.label,
        ]
        for s in data.readiness.sections
    ]
    return [("Checklist", header, rows), ("Summary", summary_header, summary)]

"""The national (or regional) readiness report: its data, read from stored readiness alone (checklists Readiness).

The data is read by the worker that renders the report, never in a request: a request asks only for the scope's
data stamp (national_data_stamp, one query) to tell whether a finished report already shows the data as it is.
Every read takes the same number of queries whatever the number of sites, and none builds a model per site: the
sites are read as plain value rows, the figures per region are SQL aggregates.

What the report prints: the verdict for the scope and its totals; the figures per region; every site as one
compact row; and, for the sites not ready (not green), which sections are red or amber and why. Open concerns are
counted per site; their text is in each site's own report.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Case, Count, F, JSONField, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from checklists.models import Assessment, percent
from checklists.rules.readiness import RAG_RULE
from phb_readiness.audit.models import AuditEvent
from phb_readiness.reports.selectors import Column, RegionSummary, region_figures, with_latest_readiness
from phb_readiness.sites.models import PilotSite, Region

# Part of every data stamp: a report made by an older layout of this report is not offered as current.
REPORT_FORMAT = "national-2"

STATE_LABELS = dict(Assessment.State.choices)
SIGNOFF_CODES = {"none": "S0", "management_only": "S1", "superseded": "S!", "complete": ""}
SIGNOFF_KEY = [
    ("S0", "not signed off"),
    ("S1", "signed off by management, awaiting the staff-side acknowledgement"),
    ("S!", "the sign-off was superseded by later changes"),
]


def scope_sites(region: Region | None) -> QuerySet[PilotSite]:
    return PilotSite.objects.all() if region is None else PilotSite.objects.filter(region=region)


def national_data_stamp(region: Region | None) -> str:
    """A SHA-256 that names the state of the data a national report of this scope shows, in one query.

    Every change to a site's checklist appends an audit event naming the site, in the same transaction (the trail
    must record them all: phb_readiness.audit), and stores the site's readiness in that transaction too. So the
    newest such event in scope (report requests and downloads aside: they change no data), the newest readiness
    update and the scope's sites name the data: the same stamp, the same report. At 1,500 sites the query takes
    about 2 ms for the country, 6 ms for a region.
    """
    events = AuditEvent.objects.exclude(action__startswith="report.")
    if region is None:  # one backward scan of the trail
        events = events.filter(site__isnull=False)
    else:  # each site's newest, one probe of audit_site_newest per site of the region
        events = events.filter(site=OuterRef("pk"))
    newest_event = events.order_by("-id").values("id")[:1]
    row = (
        with_latest_readiness(scope_sites(region))
        .order_by()
        .aggregate(
            sites=Count("pk"),
            newest_site=Max("pk"),
            newest_readiness=Max("latest__updated_at"),
            newest_event=Max(Subquery(newest_event)),
        )
    )
    canonical = {"format": REPORT_FORMAT, "region": region.code if region else None, **row}
    payload = json.dumps(canonical, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class SiteRow:
    """One site as one line of the report."""

    code: str
    name: str
    region_code: str
    state: str  # the assessment state's label, or "No assessment"
    rag: str  # "red", "amber", "green"; "" without an assessment
    percent: int | None
    open_concerns: int
    sections_signed: int
    section_count: int

    @property
    def signed(self) -> str:
        return f"{self.sections_signed}/{self.section_count}" if self.section_count else ""

    @property
    def rating(self) -> str:
        """The rating's letter and the share in place, "R 74%" (one cell: each cell costs the renderer memory)."""
        return f"{self.rag[:1].upper()} {self.percent}%" if self.rag else ""

    @property
    def concerns(self) -> str:
        """Open concerns, blank for none: most sites have none, and an empty cell costs the renderer nothing."""
        return str(self.open_concerns) if self.open_concerns else ""


@dataclass(frozen=True)
class SectionIssue:
    """Why a section of a site not ready is red or amber, from its stored figures."""

    code: str
    rag: str
    percent: int
    mandatory_not_in_place: int
    open_concerns: int
    evidence_missing: int
    signoff: str

    @property
    def text(self) -> str:
        """The section in the key printed above the detail: "EMP R M2 C1 E3 S0", "DEL A 80% S1"."""
        parts = [self.code, self.rag[:1].upper()]
        if self.rag == "amber" and self.percent < 100:  # a reason for amber; a red section's reasons are M and C
            parts.append(f"{self.percent}%")
        for prefix, count in (("M", self.mandatory_not_in_place), ("C", self.open_concerns)):
            if count:
                parts.append(f"{prefix}{count}")
        if self.evidence_missing:
            parts.append(f"E{self.evidence_missing}")
        if code := SIGNOFF_CODES.get(self.signoff, ""):
            parts.append(code)
        return " ".join(parts)


@dataclass(frozen=True)
class SiteDetail:
    """A site not ready, and its sections that are not green, in the framework's order."""

    row: SiteRow
    issues: list[SectionIssue]

    @property
    def text(self) -> str:
        """One line: "EMP R M2 E1 · DEL A 80% S0". Plain text in one cell: a cell per section costs the renderer
        more than the whole line (docs/performance.md)."""
        return " · ".join(issue.text for issue in self.issues)


@dataclass
class RegionBlock:
    figures: RegionSummary
    rows: list[SiteRow] = field(default_factory=list)
    not_ready: list[SiteDetail] = field(default_factory=list)


@dataclass
class NationalReportData:
    region: Region | None
    regions: list[RegionBlock]
    totals: RegionSummary
    columns: list[Column]
    as_of: datetime.datetime
    sha256: str = ""  # the data stamp (national_data_stamp) read with the data
    rag_rule: str = RAG_RULE
    signoff_key: list[tuple[str, str]] = field(default_factory=lambda: SIGNOFF_KEY)

    @property
    def not_ready(self) -> int:
        return sum(len(block.not_ready) for block in self.regions)

    @property
    def verdict(self) -> str:
        """The state of the scope in words, for the first page."""
        t = self.totals
        scope = f"the {t.sites:,} pilot sites of {self.region.name}" if self.region else f"{t.sites:,} pilot sites"
        if t.sites == 1:
            scope = f"the one pilot site of {self.region.name}" if self.region else "1 pilot site"
        if not t.assessed:
            return f"Of {scope}, none has an assessment yet."
        words = [
            f"Of {scope}, {_count(t.green, 'is', 'are')} green: ready, every applicable item in place and signed off "
            f"by both sides. {_count(t.amber, 'is', 'are', capital=True)} amber, work still outstanding, and "
            f"{t.red:,} red, with a mandatory item not in place or a concern open."
        ]
        if unassessed := t.sites - t.assessed:
            words.append(f"{_count(unassessed, 'has', 'have', capital=True)} no assessment yet.")
        words.append(
            f"{t.submitted:,} assessment{'s are' if t.submitted != 1 else ' is'} submitted for review and "
            f"{t.accepted:,} accepted. On average {t.average_percent}% of applicable items are in place, and "
            f"{t.open_concerns:,} concern{'s are' if t.open_concerns != 1 else ' is'} open."
        )
        return " ".join(words)


def _count(n: int, singular: str, plural: str, *, capital: bool = False) -> str:
    word = "None" if capital else "none"
    return f"{word} {singular}" if n == 0 else f"{n:,} {singular if n == 1 else plural}"


# The stored per-section figures of a site not ready, read with its row (None for a green site: not needed).
_NOT_READY_SECTIONS = Case(
    When(~Q(latest__rag="green"), then=F("latest__sections")), default=Value(None), output_field=JSONField()
)
ROW_FIELDS = (
    "code",
    "name",
    "region__code",
    "latest__assessment__state",
    "latest__rag",
    "latest__percent_in_place",
    "latest__open_concerns",
    "latest__sections_signed",
    "latest__section_count",
)


def national_report_data(*, region: Region | None = None) -> NationalReportData:
    """The national report's data for the country or one region, in four queries whatever the number of sites.

    Read in one snapshot where the database allows (PostgreSQL, outside another transaction), so the stamp, the
    figures and the rows agree. (Inside another transaction, as in tests, that transaction's isolation holds.)
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        as_of = timezone.now()
        stamp = national_data_stamp(region)
        sites = scope_sites(region)
        figures = region_figures(sites)
        rows = list(
            with_latest_readiness(sites)
            .annotate(not_ready_sections=_NOT_READY_SECTIONS)
            .order_by("region__name", Lower("name"), "pk")
            .values_list(*ROW_FIELDS, "not_ready_sections")
        )
    blocks = {f.region_code: RegionBlock(figures=f) for f in figures}
    columns: dict[str, Column] = {}
    details: list[tuple[RegionBlock, SiteRow, list[dict]]] = []
    percent_total = 0
    for code, name, region_code, state, rag, share, concerns, signed, count, sections in rows:
        row = SiteRow(
            code=code,
            name=name,
            region_code=region_code,
            state=STATE_LABELS.get(state, "No assessment"),
            rag=rag or "",
            percent=share,
            open_concerns=concerns or 0,
            sections_signed=signed or 0,
            section_count=count or 0,
        )
        block = blocks[region_code]
        block.rows.append(row)
        percent_total += share or 0
        if sections:
            for entry in sections:
                columns.setdefault(entry["code"], Column(entry["code"], entry["title"], entry["position"]))
            details.append((block, row, sections))
    ordered = sorted(columns.values(), key=lambda c: c.position)
    for block, row, sections in details:
        issues = [_issue(entry) for entry in sorted(sections, key=lambda e: e["position"]) if entry["rag"] != "green"]
        block.not_ready.append(SiteDetail(row=row, issues=issues))
    totals = _totals(figures, percent_total)
    return NationalReportData(
        region=region, regions=list(blocks.values()), totals=totals, columns=ordered, as_of=as_of, sha256=stamp
    )


def _issue(entry: dict) -> SectionIssue:
    return SectionIssue(
        code=entry["code"],
        rag=entry["rag"],
        percent=percent(entry["in_place"], entry["applicable"]),
        mandatory_not_in_place=entry["mandatory_not_in_place"],
        open_concerns=entry["open_concerns"],
        evidence_missing=entry["evidence_missing"],
        signoff=entry["signoff"],
    )


def _totals(figures: list[RegionSummary], percent_total: int) -> RegionSummary:
    totals = RegionSummary(region_code="", region_name="All regions")
    for f in figures:
        for name in ("sites", "assessed", "red", "amber", "green", "submitted", "accepted", "open_concerns"):
            setattr(totals, name, getattr(totals, name) + getattr(f, name))
    totals.average_percent = round(percent_total / totals.assessed) if totals.assessed else 0
    return totals

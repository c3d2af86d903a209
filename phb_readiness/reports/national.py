"""The national (or regional) readiness report: its data, read from stored readiness alone (checklists Readiness).

The data is read by the worker that renders the report, never in a request: a request asks only for the scope's
data stamp (national_data_stamp, one query) to tell whether a finished report already shows the data as it is.
Every read takes the same number of queries whatever the number of sites, and none builds a model per site: the
sites are read as plain value rows, the figures per region are SQL aggregates.

What the report prints: the verdict for the scope (how many sites are ready to accept, by region, and the sites
waiting longest for review) and its totals; the figures per region; every site as one compact row (state, rating,
open concerns, sections signed, returns and the latest return's reasons in brief); and, for the sites not ready (not
green), which sections are red or amber and why. Open concerns are counted per site; their text is in each site's
own report.

"Ready to accept" is the app's own rule for a site: its assessment is submitted and nothing in its stored readiness
would block a submission (checklists.selectors.review.submit_blockers: a mandatory item unanswered, an item in place
without the evidence it expects, a concern open, a section without a current sign-off by both sides). A submitted
site with any of these is "blocked".
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Case, Count, F, JSONField, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Left, Lower
from django.utils import timezone

from checklists.models import Assessment, percent
from checklists.rules.readiness import RAG_RULE
from phb_readiness.audit.models import AuditEvent
from phb_readiness.reports.selectors import Column, RegionSummary, region_figures, with_latest_readiness
from phb_readiness.sites.models import PilotSite, Region

# Part of every data stamp: a report made by an older layout of this report is not offered as current.
REPORT_FORMAT = "national-3"

# Short state words: one line in a narrow column ("Submitted for review" would wrap or widen it).
STATE_WORDS = {
    Assessment.State.DRAFT: "Draft",
    Assessment.State.SUBMITTED: "Submitted",
    Assessment.State.RETURNED: "Returned",
    Assessment.State.ACCEPTED: "Accepted",
}
BLOCKED_WORDS = "Submitted, blocked"
# The latest return's reasons, cut to fit one line of the site table (the whole text is in the site's report).
REASONS_CHARS = 48
WAITING_LISTED = 8  # the sites waiting longest, on the first page
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
    state_code: str  # the assessment's state, "" without an assessment
    rag: str  # "red", "amber", "green"; "" without an assessment
    percent: int | None
    open_concerns: int
    sections_signed: int
    section_count: int
    mandatory_unanswered: int = 0
    unevidenced: int = 0  # items recorded as in place whose expected evidence is missing or expired
    returns: int = 0  # times the assessment was returned to the site
    reasons: str = ""  # the latest return's reasons in brief, for a site whose assessment is returned
    submitted_at: datetime.datetime | None = None
    waiting_days: int = 0  # days since it was submitted, for a site awaiting review

    @property
    def submitted(self) -> bool:
        return self.state_code == Assessment.State.SUBMITTED

    @property
    def blockers(self) -> list[str]:
        """What would block a submission now, from the stored figures (the rule of submit_blockers), in words."""
        found = []
        for count, one, many in (
            (self.mandatory_unanswered, "mandatory item unanswered", "mandatory items unanswered"),
            (self.unevidenced, "item in place without its evidence", "items in place without their evidence"),
            (self.open_concerns, "concern open", "concerns open"),
            (self.section_count - self.sections_signed, "section not signed by both", "sections not signed by both"),
        ):
            if count > 0:
                found.append(f"{count} {one if count == 1 else many}")
        return found

    @property
    def ready(self) -> bool:
        """Ready to accept: submitted, and nothing blocks it."""
        return self.submitted and not self.blockers

    @property
    def state(self) -> str:
        if not self.state_code:
            return "No assessment"
        return BLOCKED_WORDS if self.submitted and not self.ready else STATE_WORDS.get(self.state_code, self.state_code)

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

    @property
    def state_and_returns(self) -> str:
        """The state with the times returned, and for a returned site the latest reasons in brief, in one cell (a
        cell more per site costs the renderer memory): "Submitted; returns: 1", "Returned (2): Liability…"."""
        if self.state_code == Assessment.State.RETURNED:
            return f"Returned ({self.returns}): {self.reasons}" if self.reasons else f"Returned ({self.returns})"
        return f"{self.state}; returns: {self.returns}" if self.returns else self.state


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
    returned: int = 0  # sites whose assessment is returned
    ready: int = 0  # sites ready to accept

    @property
    def blocked(self) -> int:
        """Submitted but blocked."""
        return self.figures.submitted - self.ready


@dataclass
class NationalReportData:
    region: Region | None
    regions: list[RegionBlock]
    totals: RegionSummary
    columns: list[Column]
    as_of: datetime.datetime
    sha256: str = ""  # the data stamp (national_data_stamp) read with the data
    waiting: list[SiteRow] = field(default_factory=list)  # the sites waiting longest for review, oldest first
    rag_rule: str = RAG_RULE
    signoff_key: list[tuple[str, str]] = field(default_factory=lambda: SIGNOFF_KEY)

    @property
    def not_ready(self) -> int:
        return sum(len(block.not_ready) for block in self.regions)

    @property
    def returned(self) -> int:
        return sum(block.returned for block in self.regions)

    @property
    def ready(self) -> int:
        return sum(block.ready for block in self.regions)

    @property
    def blocked(self) -> int:
        return self.totals.submitted - self.ready

    @property
    def review_verdict(self) -> str:
        """The verdict for review, first on the first page: how many sites are ready to accept."""
        t = self.totals
        if not t.submitted:
            words = ["No site is waiting for review."]
        else:
            words = [
                f"{self.ready:,} of the {_count(t.submitted, 'site', 'sites', bare=True)} awaiting review "
                f"{'is' if self.ready == 1 else 'are'} ready to accept: submitted, every section signed off by both "
                "sides, no mandatory item unanswered and no concern open."
            ]
            if self.blocked:
                words.append(
                    f"{self.blocked:,} {'is' if self.blocked == 1 else 'are'} submitted but blocked by something "
                    "that has changed since (most often a concern raised)."
                )
        words.append(
            f"{self.returned:,} {'site has its assessment' if self.returned == 1 else 'sites have their assessment'} "
            f"returned for changes and {t.accepted:,} accepted."
        )
        return " ".join(words)

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
            f"On average {t.average_percent}% of applicable items are in place, and "
            f"{t.open_concerns:,} concern{'s are' if t.open_concerns != 1 else ' is'} open."
        )
        return " ".join(words)


def _count(n: int, singular: str, plural: str, *, capital: bool = False, bare: bool = False) -> str:
    word = "None" if capital else "none"
    if n == 0 and not bare:
        return f"{word} {singular}"
    return f"{n:,} {singular if n == 1 else plural}"


# The stored per-section figures of a site not ready, read with its row (None for a green site: not needed).
_NOT_READY_SECTIONS = Case(
    When(~Q(latest__rag="green"), then=F("latest__sections")), default=Value(None), output_field=JSONField()
)
# The latest return's reasons, for a returned assessment only, cut in SQL (one character more than shown, to tell
# whether they go on): 225 sites' full reasons would be read and dropped otherwise.
_RETURN_REASONS = Case(
    When(
        latest__assessment__state=Assessment.State.RETURNED,
        then=Left("latest__assessment__return_reasons", REASONS_CHARS + 1),
    ),
    default=Value(""),
)
ROW_FIELDS = (
    "code",
    "name",
    "region__code",
    "latest__assessment_id",
    "latest__assessment__state",
    "latest__assessment__submitted_at",
    "latest__rag",
    "latest__percent_in_place",
    "latest__open_concerns",
    "latest__sections_signed",
    "latest__section_count",
    "latest__mandatory_unanswered",
    "latest__unevidenced",
)


def return_counts(region: Region | None) -> dict[int, int]:
    """How many times each assessment in scope was returned to its site, from the audit trail (every return writes
    an `assessment.return` event naming the assessment, in its transaction), in one grouped query."""
    events = AuditEvent.objects.filter(action="assessment.return", object_type=Assessment._meta.label_lower)
    if region is not None:
        events = events.filter(site__region=region)
    counts = events.order_by().values("object_id").annotate(n=Count("id")).values_list("object_id", "n")
    return {int(object_id): n for object_id, n in counts if object_id.isdigit()}


def brief(reasons: str) -> str:
    """Reasons on one line, cut at a word near REASONS_CHARS with an ellipsis when they go on."""
    text = " ".join(reasons.split())
    if len(text) <= REASONS_CHARS:
        return text
    cut = text[:REASONS_CHARS].rsplit(" ", 1)[0] if " " in text[:REASONS_CHARS] else text[:REASONS_CHARS]
    return cut.rstrip(" ,;:.") + "…"


def national_report_data(*, region: Region | None = None) -> NationalReportData:
    """The national report's data for the country or one region, in five queries whatever the number of sites.

    Read in one snapshot where the database allows (PostgreSQL, outside another transaction), so the stamp, the
    figures, the rows and the returns agree. (Inside another transaction, as in tests, that transaction's isolation
    holds.)
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
            .annotate(not_ready_sections=_NOT_READY_SECTIONS, brief_reasons=_RETURN_REASONS)
            .order_by("region__name", Lower("name"), "pk")
            .values_list(*ROW_FIELDS, "not_ready_sections", "brief_reasons")
        )
        returns = return_counts(region)
    blocks = {f.region_code: RegionBlock(figures=f) for f in figures}
    columns: dict[str, Column] = {}
    details: list[tuple[RegionBlock, SiteRow, list[dict]]] = []
    waiting: list[SiteRow] = []
    percent_total = 0
    for (
        code,
        name,
        region_code,
        assessment_id,
        state,
        submitted_at,
        rag,
        share,
        concerns,
        signed,
        count,
        unanswered,
        unevidenced,
        sections,
        reasons,
    ) in rows:
        returned = state == Assessment.State.RETURNED
        row = SiteRow(
            code=code,
            name=name,
            region_code=region_code,
            state_code=state or "",
            rag=rag or "",
            percent=share,
            open_concerns=concerns or 0,
            sections_signed=signed or 0,
            section_count=count or 0,
            mandatory_unanswered=unanswered or 0,
            unevidenced=unevidenced or 0,
            # A returned assessment was returned at least once, even where its events were not kept (a bulk load).
            returns=max(returns.get(assessment_id, 0), 1 if returned else 0),
            reasons=brief(reasons) if returned and reasons else "",
            submitted_at=submitted_at,
            waiting_days=(as_of - submitted_at).days if state == Assessment.State.SUBMITTED and submitted_at else 0,
        )
        block = blocks[region_code]
        block.rows.append(row)
        block.returned += returned
        if row.submitted:
            block.ready += row.ready
            waiting.append(row)
        percent_total += share or 0
        if sections:
            for entry in sections:
                columns.setdefault(entry["code"], Column(entry["code"], entry["title"], entry["position"]))
            details.append((block, row, sections))
    ordered = sorted(columns.values(), key=lambda c: c.position)
    for block, row, sections in details:
        issues = [_issue(entry) for entry in sorted(sections, key=lambda e: e["position"]) if entry["rag"] != "green"]
        block.not_ready.append(SiteDetail(row=row, issues=issues))
    waiting.sort(key=lambda r: (r.submitted_at or as_of, r.code))
    totals = _totals(figures, percent_total)
    return NationalReportData(
        region=region,
        regions=list(blocks.values()),
        totals=totals,
        columns=ordered,
        as_of=as_of,
        sha256=stamp,
        waiting=waiting[:WAITING_LISTED],
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

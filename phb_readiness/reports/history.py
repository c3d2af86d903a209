"""The programme over time: readiness per region month by month, stored as it was, and drawn as a plain SVG chart.

Why stored snapshots and not a recalculation: readiness is derived data, and the rules that derive it change (what
counts as ready, which evidence is in force, an item moved between sections); a month's figures recomputed today
from today's rows and rules would move whenever they do. So each region's figures (sites ready to accept, accepted,
returned, open concerns) are written once a day for the current month (`snapshot_take`, beat's
`reports.readiness_snapshot`), from the same data and rule as the national report (`national_report_data`): a
month's row holds its last day's figures and is never written again once the month is over.

Months before the first snapshot are derived once from the audit trail, which is append-only and records every
start, submission, return and acceptance and every concern raised, closed and reopened (`snapshot_backfill`,
`manage.py readiness_snapshot --backfill`). "Ready to accept" is derived as submitted with no concern open on the
assessment at the month's end: a submission is refused while anything blocks it, and while it is submitted its
answers and sign-offs cannot change, so only a concern raised since could block it. Derived rows never replace a
stored one.

The chart is a small SVG built here (no JavaScript, no library): four lines, their values also in a table for
screen readers, the same markup in the overview and in the national PDF (WeasyPrint draws inline SVG).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from celery import shared_task
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString

from checklists.models import Assessment, Comment
from phb_readiness.audit.models import AuditEvent
from phb_readiness.reports.models import ReadinessSnapshot
from phb_readiness.reports.national import national_report_data
from phb_readiness.sites.models import PilotSite, Region

MONTHS_SHOWN = 12
COUNTS = ("ready", "accepted", "returned", "open_concerns")
# label, colour (GOV.UK palette, each at least 3:1 on white), dash pattern: told apart without colour too.
LINES = {
    "ready": ("Ready to accept", "#00703c", ""),
    "accepted": ("Accepted", "#1d70b8", "8 4"),
    "returned": ("Returned", "#4c2c92", "3 3"),
    "open_concerns": ("Open concerns", "#d4351c", "10 3 2 3"),
}


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def months_back(last: datetime.date, count: int) -> list[datetime.date]:
    """`count` months ending with `last`'s month, oldest first."""
    months = [month_start(last)]
    for _ in range(count - 1):
        months.insert(0, month_start(months[0] - datetime.timedelta(days=1)))
    return months


# --- writing ------------------------------------------------------------------------------------------------


@transaction.atomic
def snapshot_take(*, now: datetime.datetime | None = None) -> int:
    """Store every region's figures for the current month (replacing this month's earlier figures, never another
    month's). The national report's own data and rule, so the chart and the report agree. Returns the rows written."""
    now = now or timezone.now()
    month = month_start(timezone.localdate(now))
    data = national_report_data()
    region_ids = dict(Region.objects.values_list("code", "id"))
    rows = [
        ReadinessSnapshot(
            region_id=region_ids[block.figures.region_code],
            month=month,
            sites=block.figures.assessed,
            ready=block.ready,
            accepted=block.figures.accepted,
            returned=block.returned,
            open_concerns=block.figures.open_concerns,
            source=ReadinessSnapshot.Source.STORED,
            taken_at=now,
        )
        for block in data.regions
        if block.figures.region_code in region_ids
    ]
    ReadinessSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["region", "month"],
        update_fields=["sites", *COUNTS, "source", "taken_at"],
    )
    return len(rows)


@shared_task(name="reports.readiness_snapshot")
def readiness_snapshot() -> int:
    """Beat's daily job: this month's figures as they stand (the last run in a month is its month-end)."""
    return snapshot_take()


STATE_OF = {
    "assessment.create": Assessment.State.DRAFT,
    "assessment.submit": Assessment.State.SUBMITTED,
    "assessment.return": Assessment.State.RETURNED,
    "assessment.accept": Assessment.State.ACCEPTED,
}
CONCERN_OPEN = {"concern.raise": True, "concern.reopen": True, "concern.close": False}


@transaction.atomic
def snapshot_backfill(*, today: datetime.date | None = None) -> int:
    """Derive each region's figures at the end of every month before the current one from the audit trail, where no
    row is stored for that region and month yet. Four queries. Returns the rows added."""
    current = month_start(today or timezone.localdate())
    region_of = dict(PilotSite.objects.values_list("id", "region_id"))
    assessment_of_concern = dict(Comment.objects.filter(is_concern=True).values_list("id", "response__assessment_id"))
    events = list(
        AuditEvent.objects.filter(action__in=[*STATE_OF, *CONCERN_OPEN])
        .order_by("created_at", "id")
        .values_list("action", "object_id", "site_id", "created_at")
    )
    if not events:
        return 0
    latest: dict[int, int] = {}  # site -> its newest assessment
    state: dict[int, str] = {}  # assessment -> state
    concern_open: dict[int, bool] = {}  # concern -> open
    rows: list[ReadinessSnapshot] = []
    month = month_start(timezone.localdate(events[0][3]))
    i = 0
    while month < current:
        end = timezone.make_aware(datetime.datetime.combine(next_month(month), datetime.time()))
        while i < len(events) and events[i][3] < end:
            action, object_id, site_id, _ = events[i]
            i += 1
            if not object_id.isdigit():
                continue
            if action in STATE_OF:
                if action == "assessment.create" and site_id is not None:
                    latest[site_id] = int(object_id)
                state[int(object_id)] = STATE_OF[action]
            else:
                concern_open[int(object_id)] = CONCERN_OPEN[action]
        concerns: dict[int, int] = {}
        for concern, is_open in concern_open.items():
            if is_open and (assessment := assessment_of_concern.get(concern)) is not None:
                concerns[assessment] = concerns.get(assessment, 0) + 1
        figures: dict[int, dict[str, int]] = {}
        for site, assessment in latest.items():
            if (region := region_of.get(site)) is None:
                continue
            f = figures.setdefault(region, dict.fromkeys(("sites", *COUNTS), 0))
            s, open_here = state.get(assessment), concerns.get(assessment, 0)
            f["sites"] += 1
            f["ready"] += s == Assessment.State.SUBMITTED and not open_here
            f["accepted"] += s == Assessment.State.ACCEPTED
            f["returned"] += s == Assessment.State.RETURNED
            f["open_concerns"] += open_here
        rows += [
            ReadinessSnapshot(region_id=region, month=month, source=ReadinessSnapshot.Source.AUDIT, taken_at=end, **f)
            for region, f in figures.items()
        ]
        month = next_month(month)
    before = ReadinessSnapshot.objects.count()
    ReadinessSnapshot.objects.bulk_create(rows, ignore_conflicts=True)  # a stored row always stands
    return ReadinessSnapshot.objects.count() - before


# --- reading ------------------------------------------------------------------------------------------------


@dataclass
class Series:
    """One region's (or the total's) figures per month; None where nothing was recorded for a month."""

    name: str
    code: str
    months: list[datetime.date]
    values: dict[str, list[int | None]] = field(default_factory=dict)

    def rows(self) -> list[tuple[datetime.date, list[int | None]]]:
        """The table beside the chart: each month with its four figures."""
        return [(m, [self.values[c][n] for c in COUNTS]) for n, m in enumerate(self.months)]

    @property
    def recorded(self) -> bool:
        return any(v is not None for v in self.values["ready"])

    @property
    def svg(self) -> SafeString:
        return chart_svg(self)

    @property
    def svg_small(self) -> SafeString:
        return chart_svg(self, width=360, height=190, small=True)


@dataclass
class History:
    months: list[datetime.date]
    total: Series
    regions: list[Series]
    labels: list[tuple[str, str, str]] = field(default_factory=lambda: [LINES[c] for c in COUNTS])


def snapshots_in(region: Region | None, months: list[datetime.date]) -> QuerySet:
    rows = ReadinessSnapshot.objects.filter(month__gte=months[0], month__lte=months[-1])
    return rows if region is None else rows.filter(region=region)


def programme_history(
    *, region: Region | None = None, today: datetime.date | None = None, months: int = MONTHS_SHOWN
) -> History:
    """The last `months` months per region and in total (for one region: that region alone), in one query."""
    shown = months_back(today or timezone.localdate(), months)
    index = {m: n for n, m in enumerate(shown)}
    rows = (
        snapshots_in(region, shown)
        .order_by("region__name", "month")
        .values_list("region__code", "region__name", "month", *COUNTS)
    )

    def empty(name: str, code: str) -> Series:
        return Series(name=name, code=code, months=shown, values={c: [None] * len(shown) for c in COUNTS})

    total = empty(region.name if region else "All regions", region.code if region else "")
    regions: dict[str, Series] = {}
    for code, name, month, *counts in rows:
        series = regions.setdefault(code, empty(name, code))
        n = index[month]
        for c, value in zip(COUNTS, counts, strict=True):
            series.values[c][n] = value
            total.values[c][n] = (total.values[c][n] or 0) + value
    return History(months=shown, total=total, regions=list(regions.values()))


# --- drawing ------------------------------------------------------------------------------------------------


def _nice_top(value: int) -> int:
    """The top of the value axis: four steps of 1, 2 or 5 times a power of ten, at least `value` (and 4)."""
    top, magnitude = max(value, 4), 1
    while True:
        for m in (1, 2, 5):
            if m * magnitude * 4 >= top:
                return m * magnitude * 4
        magnitude *= 10


def chart_svg(series: Series, *, width: int = 720, height: int = 260, small: bool = False) -> SafeString:
    """The series as an SVG line chart: months along, counts up, one line per figure with its name at its end."""
    left, right, top, bottom = 36, (150 if not small else 18), 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    months = series.months
    peak = max((v for c in COUNTS for v in series.values[c] if v is not None), default=0)
    y_top = _nice_top(peak)
    step_x = plot_w / max(len(months) - 1, 1)

    def x(n: int) -> float:
        return round(left + n * step_x, 1)

    def y(v: int) -> float:
        return round(top + plot_h - v * plot_h / y_top, 1)

    font = 11 if small else 12
    title = f"{series.name}: readiness month by month"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="Arial, sans-serif" font-size="{font}">',
        f"<title>{escape(title)}</title>",
    ]
    # Every text element costs the PDF renderer about as much as the rest of a chart: a small chart labels fewer.
    for k in range(5):  # gridlines and the value axis
        v = y_top * k // 4
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(v)}" y2="{y(v)}" stroke="#b1b4b6" stroke-width="0.5"/>'
        )
        if not small or k % 2 == 0:
            parts.append(f'<text x="{left - 4}" y="{y(v) + 4}" text-anchor="end" fill="#505a5f">{v}</text>')
    every = 1 if len(months) <= 6 or not small else 3
    for n, month in enumerate(months):
        if n % every == 0 or n == len(months) - 1:
            label = f"{month:%b}" + (f" {month:%y}" if month.month == 1 or n == 0 else "")
            parts.append(
                f'<text x="{x(n)}" y="{height - bottom + 16}" text-anchor="middle" fill="#505a5f">{label}</text>'
            )
    ends: list[tuple[float, str, str]] = []
    for c in COUNTS:
        name, colour, dash = LINES[c]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        run: list[str] = []
        values = series.values[c]
        for n, v in enumerate([*values, None]):
            if v is not None:
                run.append(f"{x(n)},{y(v)}")
                continue
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>'
                )
            elif run:
                px, py = run[0].split(",")
                parts.append(f'<circle cx="{px}" cy="{py}" r="3" fill="{colour}"/>')
            run = []
        last = next(((n, v) for n, v in reversed(list(enumerate(values))) if v is not None), None)
        if last is not None:
            parts.append(f'<circle cx="{x(last[0])}" cy="{y(last[1])}" r="3" fill="{colour}"/>')
            ends.append((y(last[1]), f"{name} {last[1]}", colour))
    if not small:  # each line's name and latest value at its end, nudged apart so they do not overlap
        ends.sort()
        gap = font + 3
        placed: list[float] = []
        for ey, _, _ in ends:
            placed.append(max(ey, placed[-1] + gap) if placed else ey)
        overflow = placed[-1] - (top + plot_h) if placed else 0
        if overflow > 0:  # pushed below the plot: move the pile up, keeping the gaps
            placed = [p - overflow for p in placed]
            for n in range(len(placed) - 2, -1, -1):
                placed[n] = min(placed[n], placed[n + 1] - gap)
        for ey, (_, text, colour) in zip(placed, ends, strict=True):
            parts.append(
                f'<text x="{left + plot_w + 6}" y="{ey + 4}" fill="{colour}" font-weight="bold">{escape(text)}</text>'
            )
    if not series.recorded:
        parts.append(
            f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle" fill="#505a5f">'
            "Nothing recorded yet</text>"
        )
    parts.append("</svg>")
    return SafeString("".join(parts))

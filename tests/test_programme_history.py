"""The programme over time: each region's readiness per month, stored as it was at the month's end; a later change
does not rewrite an earlier month; months before the first snapshot derived from the audit trail; the chart."""

import datetime
import io
import re

import pypdf
import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from checklists.models import Assessment, Readiness
from checklists.services.assessments import assessment_create
from checklists.services.comments import comment_create, concern_close
from checklists.services.review import assessment_accept
from phb_readiness.audit import services as audit_services
from phb_readiness.reports.history import (
    Series,
    chart_svg,
    month_start,
    months_back,
    programme_history,
    snapshot_backfill,
    snapshot_take,
)
from phb_readiness.reports.models import ReadinessSnapshot, Report
from phb_readiness.reports.services import report_render
from phb_readiness.sites.models import Membership, SiteRole
from tests.factories import MembershipFactory, PilotSiteFactory, RegionFactory
from tests.partnership_support import first_response

pytestmark = pytest.mark.django_db

JAN = datetime.date(2026, 1, 1)
FEB = datetime.date(2026, 2, 1)
MAR = datetime.date(2026, 3, 1)


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def submitted_and_clear(assessment: Assessment) -> None:
    """The site's assessment submitted with nothing blocking it, as its stored readiness says."""
    Assessment.objects.filter(pk=assessment.pk).update(state=Assessment.State.SUBMITTED, submitted_at=timezone.now())
    Readiness.objects.filter(assessment=assessment).update(
        mandatory_unanswered=0, open_concerns=0, sections_signed=F("section_count")
    )


def figures(history, month, series=None):
    series = series or history.total
    n = history.months.index(month)
    return {c: series.values[c][n] for c in ("ready", "accepted", "returned", "open_concerns")}


def test_a_month_s_figures_are_the_region_s_stored_readiness(world):
    submitted_and_clear(world.assessment_a)
    assert snapshot_take(now=at(datetime.date(2026, 1, 31), 23)) == 1  # both sites are in the North West
    row = ReadinessSnapshot.objects.get()
    assert (row.region.code, row.month, row.sites, row.ready, row.accepted, row.returned) == ("NW", JAN, 2, 1, 0, 0)
    history = programme_history(today=datetime.date(2026, 1, 31))
    assert figures(history, JAN) == {"ready": 1, "accepted": 0, "returned": 0, "open_concerns": 0}
    assert [s.code for s in history.regions] == ["NW"]


def test_a_later_change_does_not_rewrite_an_earlier_month(world):
    submitted_and_clear(world.assessment_a)
    snapshot_take(now=at(datetime.date(2026, 1, 31), 23))
    # February: site A accepted, a concern raised at site B, and the daily job runs twice.
    assessment_accept(assessment=world.assessment_a, user=world.reviewer, role=SiteRole.REVIEWER)
    comment_create(
        response=first_response(world.assessment_b),
        user=world.reviewer,
        role=SiteRole.REVIEWER,
        body="Unclear.",
        is_concern=True,
    )
    snapshot_take(now=at(datetime.date(2026, 2, 10)))
    snapshot_take(now=at(datetime.date(2026, 2, 28), 23))
    history = programme_history(today=datetime.date(2026, 3, 2))
    assert figures(history, JAN) == {"ready": 1, "accepted": 0, "returned": 0, "open_concerns": 0}
    assert figures(history, FEB) == {"ready": 0, "accepted": 1, "returned": 0, "open_concerns": 1}
    assert figures(history, MAR) == dict.fromkeys(("ready", "accepted", "returned", "open_concerns"))  # not yet
    assert ReadinessSnapshot.objects.filter(month=JAN).get().taken_at == at(datetime.date(2026, 1, 31), 23)


def test_the_current_month_is_taken_again_on_demand(world):
    snapshot_take(now=at(datetime.date(2026, 2, 1)))
    submitted_and_clear(world.assessment_b)
    snapshot_take(now=at(datetime.date(2026, 2, 2)))
    assert ReadinessSnapshot.objects.get(month=FEB).ready == 1


def test_a_region_sees_only_its_own_months(world):
    snapshot_take(now=at(datetime.date(2026, 2, 1)))
    london = world.regional_reviewer_other.reviewer_scope.region
    assert programme_history(region=london, today=FEB).total.recorded is False
    nw = world.site_a.region
    assert programme_history(region=nw, today=FEB).total.values["ready"][-1] == 0


def test_earlier_months_are_derived_from_the_audit_trail(world, framework, monkeypatch):
    """A site in the South West started in December 2025, submitted in January, a concern raised in February and
    closed in March, as the audit trail records them: the months before the first snapshot are derived from it."""
    clock = {"now": at(datetime.date(2025, 12, 5))}
    monkeypatch.setattr(audit_services.timezone, "now", lambda: clock["now"])
    site = PilotSiteFactory(code="SITE-SW", name="South West Trust", region=RegionFactory(code="SW", name="South West"))
    manager = MembershipFactory(site=site, role=Membership.Role.MANAGER).user
    assessment = assessment_create(site=site, framework=framework, round_label="First", user=manager)
    clock["now"] = at(datetime.date(2026, 1, 10))
    audit_services.audit_record(
        action="assessment.submit", actor=manager, obj=assessment, site=site, summary="Submitted"
    )
    clock["now"] = at(datetime.date(2026, 2, 3))
    concern = comment_create(
        response=first_response(assessment),
        user=world.reviewer,
        role=SiteRole.REVIEWER,
        body="Who pays?",
        is_concern=True,
    )
    clock["now"] = at(datetime.date(2026, 3, 4))
    concern_close(concern=concern, user=world.reviewer, role=SiteRole.REVIEWER)

    assert snapshot_backfill(today=datetime.date(2026, 5, 15)) == 5  # December to April, the South West alone
    history = programme_history(today=datetime.date(2026, 4, 30), months=5)
    assert [s.code for s in history.regions] == ["SW"]
    assert figures(history, datetime.date(2025, 12, 1)) == {
        "ready": 0,
        "accepted": 0,
        "returned": 0,
        "open_concerns": 0,
    }
    assert figures(history, JAN) == {"ready": 1, "accepted": 0, "returned": 0, "open_concerns": 0}
    assert figures(history, FEB) == {"ready": 0, "accepted": 0, "returned": 0, "open_concerns": 1}
    assert figures(history, MAR) == {"ready": 1, "accepted": 0, "returned": 0, "open_concerns": 0}
    assert set(ReadinessSnapshot.objects.values_list("source", flat=True)) == {"audit"}


def test_a_derived_month_never_replaces_a_stored_one(world):
    snapshot_take(now=at(datetime.date(2026, 1, 20)))
    stored = ReadinessSnapshot.objects.get()
    snapshot_backfill(today=datetime.date(2026, 3, 1))
    assert ReadinessSnapshot.objects.get(month=JAN).taken_at == stored.taken_at
    assert ReadinessSnapshot.objects.get(month=JAN).source == "stored"


def test_the_overview_draws_the_chart_with_its_table(client, world):
    submitted_and_clear(world.assessment_a)
    today = timezone.localdate()
    snapshot_take()
    client.force_login(world.reviewer)
    page = client.get(reverse("reports:overview")).content.decode()
    assert "The programme over time" in page and '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart"' in page
    assert "Ready to accept 1" in page  # the line's end label
    cell = '<td class="govuk-table__cell govuk-table__cell--numeric">'
    assert f'<th scope="row" class="govuk-table__header">{today:%B %Y}</th>{cell}1</td>' in page
    assert "<script" not in page.split('id="programme-over-time"')[1].split("</section>")[0]


def test_the_chart_marks_months_with_nothing_recorded():
    months = months_back(datetime.date(2026, 3, 1), 3)
    values = {
        "ready": [None, 2, 3],
        "accepted": [None, None, 1],
        "returned": [None, 0, 0],
        "open_concerns": [1, None, 4],
    }
    svg = chart_svg(Series(name="North West", code="NW", months=months, values=values))
    # Lines only where two months in a row are recorded (ready, returned); concerns are two points, not joined.
    assert svg.count("<polyline") == 2 and 'stroke="#d4351c"' not in svg.split("<polyline")[-1]
    assert "Open concerns 4" in svg and "Accepted 1" in svg


def test_the_national_pdf_draws_the_chart_with_the_stored_months(world):
    submitted_and_clear(world.assessment_a)
    today = timezone.localdate()
    last_month = month_start(month_start(today) - datetime.timedelta(days=1))
    ReadinessSnapshot.objects.create(region=world.site_a.region, month=last_month, sites=2, ready=0, accepted=2)
    snapshot_take()
    report = report_render(report_id=Report.objects.create(kind=Report.Kind.NATIONAL).pk)
    assert report.state == Report.State.SUCCEEDED, report.error
    text = " ".join(re.sub(r"\s+", " ", p.extract_text()) for p in pypdf.PdfReader(report.file.open("rb")).pages)
    assert "The programme over time" in text
    assert f"{last_month:%B %Y} 0 2 0 0" in text and f"{today:%B %Y} 1 0 0 0" in text  # the total's table
    assert "Ready to accept 1" in text  # the chart's own label, drawn as SVG text


def test_the_command_stores_this_month_and_derives_the_ones_before(world):
    out = io.StringIO()
    call_command("readiness_snapshot", "--backfill", stdout=out)
    assert "Derived 0 region-month(s)" in out.getvalue()  # the world's events are all from this month
    assert "Stored this month's readiness for 1 region(s)." in out.getvalue()
    assert ReadinessSnapshot.objects.get().month == month_start(timezone.localdate())

"""The national report over 150 sites: a summary that completes quickly, in a fixed number of queries."""

import re
import time

import pypdf
import pytest

from checklists.models import Assessment, Comment, Item, Response
from phb_readiness.reports.models import Report
from phb_readiness.reports.selectors import national_report_data
from phb_readiness.reports.services import report_render
from phb_readiness.sites.models import PilotSite, Region, SiteRole
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
STATUSES = [Response.Status.IN_PLACE, Response.Status.IN_PROGRESS, Response.Status.NOT_STARTED]


def many_sites(framework, count: int, *, start: int = 0) -> list[PilotSite]:
    """Sites in five regions, each with an assessment answered in part and one open concern, made in bulk."""
    regions = [Region.objects.get_or_create(code=f"R{n}", defaults={"name": f"Region {n}"})[0] for n in range(5)]
    sites = PilotSite.objects.bulk_create(
        PilotSite(code=f"BULK-{n:03d}", name=f"Bulk {n:03d} Primary Care Trust", region=regions[n % 5])
        for n in range(start, start + count)
    )
    assessments = Assessment.objects.bulk_create(
        Assessment(site=site, framework=framework, round_label="Readiness review, 2009/10 Q4") for site in sites
    )
    items = list(Item.objects.filter(section__framework=framework))
    Response.objects.bulk_create(
        Response(assessment=a, item=item, status=STATUSES[(a.id + i) % 3])
        for a in assessments
        for i, item in enumerate(items)
    )
    rep = UserFactory(username=f"bulk-rep-{start}")
    first = {r.assessment_id: r for r in Response.objects.filter(assessment__in=assessments, item=items[0])}
    Comment.objects.bulk_create(
        Comment(
            response=first[a.id],
            author=rep,
            author_role=SiteRole.UNION_REP,
            body=f"Concern at {a.site.code}",
            is_concern=True,
            concern_state=Comment.ConcernState.OPEN,
        )
        for a in assessments
    )
    return sites


def test_national_report_over_150_sites_completes(framework):
    sites = many_sites(framework, 150)
    report = Report.objects.create(kind=Report.Kind.NATIONAL)
    started = time.monotonic()
    report = report_render(report_id=report.pk)
    elapsed = time.monotonic() - started
    assert report.state == Report.State.SUCCEEDED, report.error
    assert elapsed < 60, f"national report took {elapsed:.1f} s"

    pdf = pypdf.PdfReader(report.file.open("rb"))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pdf.pages))
    for site in sites:
        assert site.name in text
        assert f"Concern at {site.code}" in text
    assert "Figures per region" in text and "Region 4" in text
    assert f"Page 1 of {report.pages}" in text
    assert report.pages < 60, "a summary, not 150 site reports"
    print(f"\nnational report, 150 sites: {report.pages} pages in {elapsed:.1f} s")  # noqa: T201


def test_national_report_data_takes_the_same_queries_at_any_size(framework, django_assert_num_queries):
    many_sites(framework, 3)
    with django_assert_num_queries(8) as small:
        national_report_data()
    many_sites(framework, 60, start=100)
    with django_assert_num_queries(len(small.captured_queries)):
        data = national_report_data()
    assert data.totals.sites == 63 and len(data.open_concerns) == 63


def test_a_regional_national_report_covers_only_its_region(framework):
    many_sites(framework, 10)
    data = national_report_data(region=Region.objects.get(code="R1"))
    assert {row.site.region.code for row in data.overview.rows} == {"R1"}
    assert data.totals.sites == 2
    assert {c.response.assessment.site.region.code for c in data.open_concerns} == {"R1"}

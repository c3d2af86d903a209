"""The national report: the verdict on its first page, the figures per region, every site in one line, and why each
site not ready is not (none for a green site), read from stored readiness in a fixed number of queries."""

import re
import time

import pypdf
import pytest

from phb_readiness.reports.models import Report
from phb_readiness.reports.national import national_report_data
from phb_readiness.reports.services import report_render
from phb_readiness.sites.models import Region
from tests.national_support import make_green, many_sites

pytestmark = pytest.mark.django_db


def pdf_pages(report: Report) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in pypdf.PdfReader(report.file.open("rb")).pages]


def test_national_report_over_150_sites(framework):
    sites = many_sites(framework, 150)
    green = sites[7]
    make_green(green)
    report = Report.objects.create(kind=Report.Kind.NATIONAL)
    started = time.monotonic()
    report = report_render(report_id=report.pk)
    elapsed = time.monotonic() - started
    assert report.state == Report.State.SUCCEEDED, report.error

    pages = pdf_pages(report)
    first, text = pages[0], " ".join(pages)
    assert "Of 150 pilot sites, 1 is green" in first and "149 red" in first  # the verdict, on page one
    assert "150 concerns are open" not in first and "149 concerns are open" in first
    assert "Figures per region" in text and all(f"Region {n}" in text for n in range(5))
    for site in sites:  # one line per site
        assert len(re.findall(rf"{site.code} {site.name} ", text)) == 1, site.code
    assert f"Sites in Region 2 {sites[2].code} " in text or f"{sites[2].code} {sites[2].name}" in text

    detail = text[text.index("Each site that is not green") :]
    not_ready = sites[3]
    line = re.search(rf"{not_ready.code} (.*?) (?=BULK-|Report )", detail).group(1)
    assert line.startswith("EMP R") and "C1" in line  # its first section is red: its open concern
    assert green.code not in detail  # a green site has no detail
    assert "Concern at" not in text  # concerns are counted; their text is in the site report
    assert f"Page 1 of {report.pages}" in text
    assert report.pages <= 12, "a summary: a line per site"
    print(f"\nnational report, 150 sites: {report.pages} pages in {elapsed:.1f} s")  # noqa: T201


def test_national_report_data_takes_the_same_queries_at_any_size(framework, django_assert_num_queries):
    many_sites(framework, 3)
    with django_assert_num_queries(6) as small:
        national_report_data()
    many_sites(framework, 60, start=100)
    with django_assert_num_queries(len(small.captured_queries)):
        data = national_report_data()
    assert data.totals.sites == 63 and data.totals.open_concerns == 63
    assert sum(len(block.rows) for block in data.regions) == 63


def test_a_regional_report_covers_only_its_region(framework):
    many_sites(framework, 10)
    data = national_report_data(region=Region.objects.get(code="R1"))
    assert [block.figures.region_code for block in data.regions] == ["R1"]
    assert [row.code for row in data.regions[0].rows] == ["BULK-001", "BULK-006"]
    assert data.totals.sites == 2 and data.totals.open_concerns == 2
    assert data.verdict.startswith("Of the 2 pilot sites of Region 1, none is green")


def test_the_detail_says_why_each_section_is_not_green(framework):
    site = many_sites(framework, 1)[0]
    data = national_report_data()
    (detail,) = data.regions[0].not_ready
    assert detail.row.code == site.code
    order = [c.code for c in data.columns]
    assert [issue.code for issue in detail.issues] == sorted((i.code for i in detail.issues), key=order.index)
    assert {issue.rag for issue in detail.issues} <= {"red", "amber"}
    first = detail.issues[0]
    assert first.rag == "red" and first.open_concerns == 1
    assert first.text.startswith(f"{first.code} R") and "C1" in first.text and first.text.endswith("S0")

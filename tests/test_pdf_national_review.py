"""The national report speaks for review: page one says how many sites are ready to accept (the app's own rule:
submitted, and nothing that would block a submission), by region, and which sites have waited longest; each site's
line says its state, sections signed, open concerns, how many times it was returned and, while it is returned, the
latest reasons in brief; each region counts its returned sites. All read in the worker in a fixed number of queries.
"""

import datetime
import re

import pypdf
import pytest
from django.utils import timezone

from checklists.models import Assessment
from checklists.selectors.review import submit_blockers
from checklists.services.assessments import assessment_create, assessment_submit
from checklists.services.comments import comment_create
from checklists.services.review import assessment_accept, assessment_return
from phb_readiness.reports.models import Report
from phb_readiness.reports.national import national_report_data
from phb_readiness.reports.services import report_render
from phb_readiness.sites.models import Membership, PilotSite, Region, SiteRole
from tests.factories import MembershipFactory, PilotSiteFactory
from tests.national_support import many_sites
from tests.partnership_support import first_response, ready_to_submit
from tests.query_counts import assert_query_count

pytestmark = pytest.mark.django_db

FIRST_REASONS = "Attach the indemnity certificate."
REASONS = (
    "Liability and indemnity: the insurance certificates attached have expired. Please attach current "
    "certificates and resubmit."
)


def pdf_pages(report: Report) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in pypdf.PdfReader(report.file.open("rb")).pages]


def staffed_site(framework, code: str, region: Region) -> tuple[Assessment, object, object]:
    site = PilotSiteFactory(code=code, name=f"{code.title()} Primary Care Trust", region=region)
    manager = MembershipFactory(site=site, role=Membership.Role.MANAGER, user__username=f"{code}-manager").user
    rep = MembershipFactory(site=site, role=Membership.Role.UNION_REP, user__username=f"{code}-rep").user
    assessment = assessment_create(site=site, framework=framework, round_label="Readiness review", user=manager)
    return assessment, manager, rep


def submitted(framework, code: str, region: Region, *, days_ago: int) -> tuple[Assessment, object, object]:
    assessment, manager, rep = staffed_site(framework, code, region)
    ready_to_submit(assessment, manager=manager, rep=rep)
    assessment = assessment_submit(assessment=assessment, user=manager)
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=days_ago))
    return assessment, manager, rep


@pytest.fixture
def review(framework, world):
    """In London: one site returned twice, now holding the second reasons. In the North West: one site ready to
    accept (waiting 12 days), one submitted but blocked by a concern raised since (waiting 20 days), one accepted;
    world's two drafts and some bulk drafts around them."""
    london = Region.objects.get(code="LDN")
    north = Region.objects.get(code="NW")
    returned, manager, _rep = submitted(framework, "LDN-RET", london, days_ago=30)
    reviewer = {"user": world.reviewer, "role": SiteRole.REVIEWER}
    returned = assessment_return(assessment=returned, reasons=FIRST_REASONS, **reviewer)
    returned = assessment_submit(assessment=returned, user=manager)
    returned = assessment_return(assessment=returned, reasons=REASONS, **reviewer)
    ready, _, _ = submitted(framework, "NW-READY", north, days_ago=12)
    blocked, _, rep = submitted(framework, "NW-BLOCK", north, days_ago=20)
    comment_create(
        response=first_response(blocked), user=rep, role=SiteRole.UNION_REP, body="Staff not told.", is_concern=True
    )
    accepted, _, _ = submitted(framework, "NW-ACC", north, days_ago=40)
    assessment_accept(assessment=accepted, **reviewer)
    return {"returned": returned, "ready": ready, "blocked": blocked, "accepted": accepted}


def test_ready_to_accept_is_the_apps_rule_for_a_site(review):
    rows = {row.code: row for block in national_report_data().regions for row in block.rows}
    for assessment in Assessment.objects.select_related("site", "readiness"):
        row = rows[assessment.site.code]
        rule = assessment.state == Assessment.State.SUBMITTED and not submit_blockers(assessment=assessment)
        assert row.ready == rule, assessment.site.code
    assert [code for code, row in rows.items() if row.ready] == ["NW-READY"]
    assert rows["NW-BLOCK"].blockers == ["1 concern open"] and rows["NW-BLOCK"].state == "Submitted, blocked"


def test_page_one_gives_the_verdict_for_review(review):
    report = report_render(report_id=Report.objects.create(kind=Report.Kind.NATIONAL).pk)
    assert report.state == Report.State.SUCCEEDED, report.error
    first = pdf_pages(report)[0]
    assert "1 of the 2 sites awaiting review is ready to accept" in first
    assert "1 is submitted but blocked" in first
    assert "1 site has its assessment returned for changes and 1 accepted" in first
    # By region: awaiting review, ready to accept, blocked, returned, accepted.
    assert "London 0 0 0 1 0" in first
    assert "North West 2 1 1 0 1" in first
    assert "All regions 2 1 1 1 1" in first
    # Waiting longest, oldest first, with the days waited and what blocks.
    assert re.search(r"NW-BLOCK Nw-Block Primary Care Trust .*? 20 Blocked: 1 concern open", first)
    assert re.search(r"NW-READY Nw-Ready Primary Care Trust .*? 12 Ready", first)
    assert first.index("NW-BLOCK") < first.index("NW-READY")
    assert "LDN-RET" not in first and "NW-ACC" not in first  # reviewed: not waiting


def test_each_site_and_region_says_returns_and_reasons(review, framework):
    many_sites(framework, 12)
    report = report_render(report_id=Report.objects.create(kind=Report.Kind.NATIONAL).pk)
    assert report.state == Report.State.SUCCEEDED, report.error
    text = " ".join(pdf_pages(report))

    first = pdf_pages(report)[0]
    # By region, on page one: awaiting review, ready to accept, blocked, returned, accepted.
    assert "London 0 0 0 1 0" in first, "the returned London site counts as returned in its region"

    sites = text[text.index("Sites in London") :]
    assert "Sites in London 1 site: " in sites and "0 submitted (0 ready to accept), 1 returned, 0 accepted" in sites
    # Code, site, rating, concerns (blank: none), signed, then the state, the times returned and the latest reasons.
    line = re.search(r"LDN-RET Ldn-Ret Primary Care Trust \w \d+% 7/7 (.*?) (?=Sites in|BULK-|Report )", sites)
    assert line, sites[:400]
    assert line.group(1) == "Returned (2): Liability and indemnity: the insurance…"
    assert FIRST_REASONS not in text and "certificates and resubmit" not in text  # the latest, in brief
    assert re.search(r"NW-READY Nw-Ready Primary Care Trust G 100% 7/7 Submitted ", sites)
    assert re.search(r"NW-BLOCK Nw-Block Primary Care Trust \w \d+% 1 7/7 Submitted, blocked ", sites)
    assert re.search(r"NW-ACC Nw-Acc Primary Care Trust G 100% 7/7 Accepted ", sites)
    assert re.search(r"SITE-A Site A Primary Care Trust \w \d+% 0/7 Draft ", sites)


def test_a_regional_report_counts_its_returns_only(review):
    data = national_report_data(region=Region.objects.get(code="LDN"))
    (block,) = data.regions
    assert (block.returned, block.ready, block.figures.submitted, data.waiting) == (1, 0, 0, [])
    assert block.rows[0].returns == 2 and data.review_verdict.startswith("No site is waiting for review.")


def test_the_data_takes_the_same_queries_at_two_sizes(review, framework):
    with assert_query_count(4, "national report data, 6 sites"):
        national_report_data()
    many_sites(framework, 40)
    for site in PilotSite.objects.filter(code__startswith="BULK-")[:5]:  # more returns to count
        Assessment.objects.filter(site=site).update(state=Assessment.State.RETURNED, return_reasons=REASONS)
    with assert_query_count(4, "national report data, 46 sites"):
        data = national_report_data()
    assert data.totals.sites == 46 and data.returned == 6

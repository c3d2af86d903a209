"""Review history: every submission, return (with its reasons and queries), resubmission and acceptance is a record
of its own, in order, on the review page and in the site report; a second return loses nothing of the first."""

import pytest
from django.template.loader import render_to_string

from checklists.models import ReviewEvent
from checklists.services.assessments import assessment_submit
from checklists.services.review import assessment_accept, assessment_return, review_query_resolve
from phb_readiness.reports.models import Report
from phb_readiness.reports.selectors import site_report_data
from phb_readiness.sites.models import SiteRole
from tests.review_support import answer_queries, returned_with_queries, review_url, two_codes

pytestmark = pytest.mark.django_db


def test_two_returns_keep_both_records(client, world):
    codes = two_codes(world.assessment_a)
    a = returned_with_queries(world, codes, reasons="First: the EMP evidence is thin.")
    answer_queries(world, a)
    assessment_submit(assessment=a, user=world.manager_a)
    assessment_return(
        assessment=a, user=world.reviewer, role=SiteRole.REVIEWER, reasons="Second: the pensions policy is unsigned."
    )
    events = list(ReviewEvent.objects.filter(assessment=a).values_list("kind", "reasons"))
    assert events == [
        ("submitted", ""),
        ("returned", "First: the EMP evidence is thin."),
        ("resubmitted", ""),
        ("returned", "Second: the pensions policy is unsigned."),
    ]
    a.refresh_from_db()
    assert a.return_reasons == "Second: the pensions policy is unsigned."  # the latest, as before

    client.force_login(world.rep_a)
    page = client.get(review_url(a)).content.decode()
    history = page[page.index('id="review-history"') :]
    first, second = history.index("First: the EMP"), history.index("Second: the pensions")
    assert first < second
    assert history.count("Query on ") == 2  # the first return's queries, under it

    texts = [step.text for step in site_report_data(a).history]
    assert [t.split(" by ")[0].split(",")[0] for t in texts] == [
        "Started",
        "Submitted for review",
        "Returned",
        "Submitted again for review",
        "Returned",
    ]
    returns = [step for step in site_report_data(a).history if step.text.startswith("Returned")]
    assert returns[0].text.endswith("First: the EMP evidence is thin.")
    assert [line.split(":")[0] for line in returns[0].details] == [f"Query on {code}" for code in codes]
    assert all("Answer: See the new minutes. (answered)" in line for line in returns[0].details)
    assert returns[1].details == ()


def test_the_acceptance_and_its_note_close_the_history(client, world):
    codes = two_codes(world.assessment_a)
    a = returned_with_queries(world, codes)
    answer_queries(world, a)
    assessment_submit(assessment=a, user=world.manager_a)
    for query in a.review_queries.all():
        review_query_resolve(query=query, user=world.reviewer, role=SiteRole.REVIEWER)
    assessment_accept(assessment=a, user=world.reviewer, role=SiteRole.REVIEWER, note="Well evidenced now.")
    assert list(ReviewEvent.objects.filter(assessment=a).values_list("kind", flat=True)) == [
        "submitted",
        "returned",
        "resubmitted",
        "accepted",
    ]
    client.force_login(world.manager_a)
    page = client.get(review_url(a)).content.decode()
    assert "Acceptance note" in page and "Well evidenced now." in page
    assert site_report_data(a).history[-1].text.endswith(": Well evidenced now.")


def test_the_site_report_prints_each_return_with_its_queries(world):
    codes = two_codes(world.assessment_a)
    a = returned_with_queries(world, codes, reasons="First: the EMP evidence is thin.")
    html = render_to_string(
        "reports/pdf/site_report.html",
        {"data": site_report_data(a), "report": Report(kind=Report.Kind.SITE, assessment=a, site=a.site)},
    )
    history = html[html.index('<ul class="history">') :]
    assert "with reasons: First: the EMP evidence is thin." in history
    assert all(f"Query on {code}: What is behind {code}? (open)" in history for code in codes)

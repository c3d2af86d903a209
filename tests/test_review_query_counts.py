"""The review page and an item page with the reviewer's queries cost the same, exact number of queries with two
queried items or every item queried and changed. When a count changes, the failure lists every query."""

import pytest
from django.urls import reverse

from checklists.models import Response, ReviewEvent, ReviewQuery
from checklists.services.assessments import assessment_submit
from tests.query_counts import assert_query_count, fill_comments_and_evidence
from tests.review_support import answer_queries, returned_with_queries, review_url, two_codes

pytestmark = pytest.mark.django_db

# Each: session (1), the person with their reviewer scope (1), the assessment with the person's role and its stored
# readiness (1), then the page's own reads.
# The review page: the review history records with their people (1), the queries with their items and people (1),
# the answers now with their items and owners (1) and their current evidence (1), to hold beside the last return's
# snapshot; the later rounds (1); the site's latest activity (1).
REVIEW_PAGE = 9
# The item page, as in test_page_query_counts, and the item's queries with the people who asked and answered (1).
ITEM_PAGE = 8


def query_every_item(world, assessment) -> None:
    """A query, answered, on every item, and every answer and its evidence changed since the return."""
    returned = ReviewEvent.objects.filter(assessment=assessment, kind="returned").latest("at")
    ReviewQuery.objects.bulk_create(
        ReviewQuery(
            assessment=assessment,
            response=r,
            return_event=returned,
            question=f"Query {n}",
            asked_by=world.reviewer,
            answer="Answered.",
            answered_by=world.manager_a,
            state=ReviewQuery.State.ANSWERED,
        )
        for n, r in enumerate(assessment.responses.all())
    )
    Response.objects.filter(assessment=assessment).update(owner=world.contributor_a, narrative="Changed since.")
    fill_comments_and_evidence(world, per_item=3)


def test_the_review_page_costs_the_same_whatever_is_queried_and_changed(client, world):
    a = returned_with_queries(world, two_codes(world.assessment_a))
    answer_queries(world, a)
    assessment_submit(assessment=a, user=world.manager_a)
    client.force_login(world.reviewer)
    client.get(review_url(a))  # the session's idle expiry written
    with assert_query_count(REVIEW_PAGE, "review page, two items queried"):
        assert client.get(review_url(a)).status_code == 200
    query_every_item(world, a)
    with assert_query_count(REVIEW_PAGE, "review page, every item queried and changed"):
        page = client.get(review_url(a))
    assert page.status_code == 200 and page.content.decode().count("Changed since.") >= 61


def test_an_item_page_with_queries_costs_the_same_with_one_query_or_many(client, world):
    codes = two_codes(world.assessment_a)
    a = returned_with_queries(world, codes)
    url = reverse("checklists:item", args=[a.pk, codes[0]])
    client.force_login(world.manager_a)
    client.get(url)
    with assert_query_count(ITEM_PAGE, "item page, one query"):
        assert client.get(url).status_code == 200
    query_every_item(world, a)
    with assert_query_count(ITEM_PAGE, "item page, two queries, comments and evidence"):
        page = client.get(url)
    assert page.status_code == 200 and "Query " in page.content.decode()

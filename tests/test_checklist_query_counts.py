"""Query budgets: the overview and the item page cost the same number of queries with little or much data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checklists.models import Comment, Evidence, Response
from checklists.selectors.responses import task_list_memo_clear
from phb_readiness.sites.models import SiteRole

pytestmark = pytest.mark.django_db

# Measured per request in a test: session + user (2), the reviewer scope (1), the access check (assessment or
# response with the person's role: 1), then the page's own reads. Task list (cold, as after a change at the site): the
# site's data stamp, responses with owners, evidence, comment counts, sign-offs, latest activity (6); warm: the stamp
# and latest activity (2). Item page: the response, evidence, owners, the partnership panel's comments (4).
OVERVIEW_BUDGET = 10
OVERVIEW_WARM_BUDGET = 6
ITEM_BUDGET = 8


def _fill(world, per_item: int) -> None:
    """per_item comments (one an open concern), links of evidence, and an owner, on every response."""
    responses = list(world.assessment_a.responses.all())
    Response.objects.filter(assessment=world.assessment_a).update(owner=world.contributor_a, narrative="Some text")
    Comment.objects.bulk_create(
        Comment(
            response=r,
            author=world.rep_a,
            author_role=SiteRole.UNION_REP,
            body=f"Comment {i}",
            is_concern=i == 0,
            concern_state="open" if i == 0 else "",
        )
        for r in responses
        for i in range(per_item)
    )
    Evidence.objects.bulk_create(
        Evidence(
            response=r,
            kind="link",
            title=f"Link {i}",
            url=f"https://example.org/{r.pk}/{i}",
            uploaded_by=world.manager_a,
        )
        for r in responses
        for i in range(per_item)
    )


def _count(client, url: str) -> int:
    """Queries of one GET with nothing remembered from earlier requests (the task list memo emptied)."""
    task_list_memo_clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("name", "args", "budget"),
    [("assessment", [], OVERVIEW_BUDGET), ("item", ["EMP-03"], ITEM_BUDGET)],
)
def test_page_queries_do_not_grow_with_data(client, world, django_assert_max_num_queries, name, args, budget):
    url = reverse(f"checklists:{name}", args=[world.assessment_a.pk, *args])
    client.force_login(world.manager_a)
    client.get(url)  # warm the session and any per-process caches
    empty = _count(client, url)
    _fill(world, per_item=3)
    full = _count(client, url)
    assert empty == full, f"{name}: {empty} queries with no comments or evidence, {full} with 3 of each per item"
    task_list_memo_clear()
    with django_assert_max_num_queries(budget):
        client.get(url)


def test_a_warm_task_list_costs_less(client, world, django_assert_max_num_queries):
    url = reverse("checklists:assessment", args=[world.assessment_a.pk])
    client.force_login(world.manager_a)
    client.get(url)
    with django_assert_max_num_queries(OVERVIEW_WARM_BUDGET):
        client.get(url)


def test_filters_cost_no_extra_queries(client, world):
    url = reverse("checklists:assessment", args=[world.assessment_a.pk])
    client.force_login(world.contributor_a)
    client.get(url)
    plain = _count(client, url)
    assert _count(client, url + "?mine=on&overdue=on&concerns=on&status=in_place&section=EMP") == plain

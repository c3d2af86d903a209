"""Every checklist page costs the same, exact number of queries with little data or much. When a count changes,
the failure lists every query."""

from __future__ import annotations

import pytest
from django.urls import reverse

from checklists.models import Response
from tests.query_counts import assert_query_count, fill_comments_and_evidence

pytestmark = pytest.mark.django_db

# Each: session (1), the person with their reviewer scope (1), the assessment with the person's role and its stored
# readiness (1), then the page's own reads.
PAGES = {
    # every item with its owner and its evidence, comment and open-concern counts (1); the site's latest activity (1)
    "assessment": ([], 5),
    # the response (1), its evidence (1), the owner choices (1), the partnership panel's comments (1)
    "item": (["EMP-03"], 7),
    # the items behind the blockers (1)
    "submit": ([], 4),
    # the sign-offs with their signers (1), the site's latest activity (1)
    "register": ([], 5),
}


def _fill(world, per_item: int) -> None:
    """An owner and a narrative on every response, then comments and evidence."""
    Response.objects.filter(assessment=world.assessment_a).update(owner=world.contributor_a, narrative="Some text")
    fill_comments_and_evidence(world, per_item)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_queries_do_not_grow_with_data(client, world, name):
    args, expected = PAGES[name]
    route = "partnership:register" if name == "register" else f"checklists:{name}"
    url = reverse(route, args=[world.assessment_a.pk, *args])
    client.force_login(world.manager_a)
    client.get(url)  # the session's idle expiry written
    with assert_query_count(expected, f"{name}, empty"):
        assert client.get(url).status_code == 200
    _fill(world, per_item=3)
    with assert_query_count(expected, f"{name}, 3 comments and 3 pieces of evidence an item"):
        assert client.get(url).status_code == 200

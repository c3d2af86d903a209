"""Every save costs the same, exact number of queries: a plain answer, one that assigns an owner, one in a section
signed off by both sides (which supersedes the sign-offs), and evidence; with little data or much. When a count
changes, the failure lists every query."""

from __future__ import annotations

import pytest
from django.urls import reverse

from checklists.models import Response
from tests.partnership_support import answer, first_section, response_for, sign_section
from tests.query_counts import assert_query_count, fill_comments_and_evidence

pytestmark = pytest.mark.django_db

# Session (1), the person with their reviewer scope (1), the assessment with the person's role and its readiness (1),
# the response (1); then the save: the assessment locked (1, with the owner check when the owner changes), the
# conditional update (1), the changed section's facts (1), the end of the audit chain (1), the events (1), the
# stored readiness (1).
SAVE_QUERIES = 10


def _post_answer(client, world, code: str, *, what: str, expected: int = SAVE_QUERIES, **fields) -> None:
    """Save an answer through the item page, counting the queries of that one request."""
    response = response_for(world.assessment_a, code)
    data = {"status": "in_progress", "narrative": response.narrative, "base_version": response.version} | fields
    with assert_query_count(expected, what):
        reply = client.post(reverse("checklists:item", args=[world.assessment_a.pk, code]), data)
    assert reply.status_code == 302, reply.content.decode()[:2000]


@pytest.fixture
def manager(client, world):
    client.force_login(world.manager_a)
    client.get(reverse("checklists:assessment", args=[world.assessment_a.pk]))  # the session's idle expiry written
    return client


def test_a_plain_save(manager, world):
    _post_answer(manager, world, "EMP-01", narrative="First draft", what="plain save")
    fill_comments_and_evidence(world, per_item=4)
    _post_answer(manager, world, "EMP-01", narrative="Second draft", what="plain save with comments and evidence")


def test_a_save_that_assigns_an_owner(manager, world):
    _post_answer(manager, world, "EMP-01", owner=world.contributor_a.pk, what="save assigning an owner")
    assert Response.objects.get(assessment=world.assessment_a, item__code="EMP-01").owner == world.contributor_a


def test_a_save_in_a_signed_section(manager, world):
    section = first_section(world.assessment_a)
    for response in world.assessment_a.responses.filter(item__section=section).select_related("item"):
        answer(response, world.manager_a)
    sign_section(world.assessment_a, section, manager=world.manager_a, rep=world.rep_a)
    code = response_for(world.assessment_a, "EMP-01").item.code
    # The one save that costs more: the signers' notice written to the outbox with the change (1).
    _post_answer(
        manager,
        world,
        code,
        narrative="Changed after sign-off",
        what="save superseding a sign-off",
        expected=SAVE_QUERIES + 1,
    )
    _post_answer(manager, world, code, narrative="Changed again", what="save in a superseded section")

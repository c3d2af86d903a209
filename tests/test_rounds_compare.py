"""Rounds compared: two rounds of a site side by side, item by item, changes marked; the latest against the one
before unless others are chosen; anyone who may see the site may see it; constant queries."""

import re

import pytest
from django.urls import reverse

from checklists.models import Response
from checklists.services.evidence import evidence_add_link
from checklists.services.responses import response_save
from tests.partnership_support import answer, first_response, queries_for_get
from tests.query_counts import assert_query_count
from tests.rounds_support import NEXT_ROUND, next_round

pytestmark = pytest.mark.django_db

FIRST_ROUND = "Readiness review, 2009/10 Q4"


@pytest.fixture
def second(world):
    return next_round(world)


def url(world, **params):
    return reverse("partnership:rounds", args=[world.site_a.code]), params


def page(client, world, **params):
    path, params = url(world, **params)
    reply = client.get(path, params)
    assert reply.status_code == 200
    return reply.content.decode()


def row(html: str, code: str) -> str:
    match = re.search(rf'<tr class="[^"]*" id="compare-{re.escape(code)}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {code}"
    return match.group(1)


def test_by_default_the_latest_round_is_compared_with_the_one_before(client, world, second):
    changed = first_response(second)
    answer(changed, world.manager_a, status=Response.Status.NOT_IN_PLACE, narrative="Being redone for the new rules.")
    client.force_login(world.reviewer)
    html = page(client, world)
    assert f"1 of {second.responses.count()} items changed between {FIRST_ROUND} and {NEXT_ROUND}." in html
    marked = row(html, changed.item.code)
    assert "Changed: status, narrative" in marked
    assert "In progress" in marked and "Not in place" in marked and "Being redone for the new rules." in marked
    untouched = second.responses.exclude(pk=changed.pk).select_related("item").first()
    assert "No change" in row(html, untouched.item.code)
    assert "Carried forward, not yet confirmed" in row(html, untouched.item.code)


def test_an_owner_and_evidence_change_is_marked(client, world, second):
    response = first_response(second)
    evidence_add_link(response=response, user=world.manager_a, url="https://example.org/policy", title="Policy v2")
    response.refresh_from_db()
    response_save(
        response=response, user=world.manager_a, data={"owner": world.contributor_a}, base_version=response.version
    )
    client.force_login(world.rep_a)
    marked = row(page(client, world), response.item.code)
    assert "Changed: owner, evidence" in marked
    assert "Policy v2" in marked and "Owner: none" in marked


def test_only_changed_items_on_request(client, world, second):
    changed = first_response(second)
    answer(changed, world.manager_a, narrative="New words.")
    client.force_login(world.manager_a)
    html = page(client, world, changed="on")
    assert html.count('id="compare-') == 1 and f'id="compare-{changed.item.code}"' in html


def test_other_rounds_are_chosen_with_the_form_in_either_order(client, world, second):
    client.force_login(world.manager_a)
    html = page(client, world, older=second.pk, newer=world.assessment_a.pk)
    assert f"between {FIRST_ROUND} and {NEXT_ROUND}." in html  # the earlier round is always on the left
    assert re.search(rf'<option value="{second.pk}" selected>', html)


@pytest.mark.parametrize(
    "params, error",
    [
        ({"older": "999999", "newer": "PK"}, "Choose an earlier round of this site from the list"),
        ({"older": "PK", "newer": "PK"}, "Choose two different rounds"),
        ({"older": "x", "newer": ""}, "Choose an earlier round of this site from the list"),
        ({"older": "PK"}, "Choose a later round"),
    ],
)
def test_a_wrong_choice_says_what_to_fix(client, world, second, params, error):
    client.force_login(world.manager_a)
    params = {k: (str(second.pk) if v == "PK" else v) for k, v in params.items()}
    html = page(client, world, **params)
    assert "<title>Error: " in html and error in html and 'id="compare-' not in html


def test_a_round_of_another_site_cannot_be_chosen(client, world, second):
    client.force_login(world.reviewer)
    html = page(client, world, older=world.assessment_b.pk, newer=second.pk)
    assert "Choose an earlier round of this site from the list" in html
    assert "Site B" not in html


def test_a_site_with_one_round_says_there_is_nothing_to_compare(client, world):
    client.force_login(world.manager_a)
    assert "one round so far" in page(client, world)


@pytest.mark.parametrize("persona", ["manager_a", "contributor_a", "rep_a", "reviewer", "observer", "admin"])
def test_anyone_who_can_see_the_site_can_compare(client, world, second, persona):
    client.force_login(getattr(world, persona))
    assert client.get(url(world)[0]).status_code == 200


@pytest.mark.parametrize("persona", ["manager_b", "regional_reviewer_other", "outsider"])
def test_others_get_not_found(client, world, second, persona):
    client.force_login(getattr(world, persona))
    assert client.get(url(world)[0]).status_code == 404


def test_the_page_costs_the_same_whatever_changed(client, world, second):
    client.force_login(world.reviewer)
    path = url(world)[0]
    before = queries_for_get(client, path)
    for response in second.responses.select_related("item")[:5]:
        answer(response, world.manager_a, narrative="Changed.")
        evidence_add_link(response=response, user=world.manager_a, url="https://example.org/x", title="X")
    client.get(path)
    with assert_query_count(before, "rounds compared"):
        client.get(path)
    assert before == 8


@pytest.mark.parametrize("page_name", ["checklists:assessment", "partnership:review"])
def test_the_assessment_and_review_pages_link_to_the_comparison(client, world, second, page_name):
    client.force_login(world.reviewer)
    html = client.get(reverse(page_name, args=[second.pk])).content.decode()
    compare = reverse("partnership:rounds", args=[world.site_a.code])
    assert f"{compare}?older={world.assessment_a.pk}&amp;newer={second.pk}" in html

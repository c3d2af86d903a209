"""The task list filters by where an item comes from, with a plain GET form, together with the other filters, and
costs the same queries filtered or not."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.partnership_support import answer, response_for
from tests.query_counts import assert_query_count

pytestmark = pytest.mark.django_db


def task_list(client, assessment, **params) -> str:
    url = reverse("checklists:assessment", args=[assessment.pk])
    return client.get(f"{url}?{urlencode(params)}" if params else url).content.decode()


def codes(html: str) -> list[str]:
    """The items the task list shows, in order."""
    return re.findall(r'<div id="item-([A-Z]{3}-\d\d)-hint"', html)


def test_the_guidance_questions_alone(client, world):
    client.force_login(world.manager_a)
    html = task_list(client, world.assessment_a, provenance="question")
    assert codes(html) == [f"EMP-0{n}" for n in range(1, 7)] + [f"DEL-0{n}" for n in range(1, 10)]
    assert "Showing 15 of 61 items." in html
    assert '<option value="question" selected>Question of the guidance</option>' in html


def test_the_motion_conditions_alone(client, world):
    client.force_login(world.rep_a)
    html = task_list(client, world.assessment_a, provenance="motion")
    assert "Showing 12 of 61 items." in html
    assert all(code.startswith("SSC-") for code in codes(html))


def test_combined_with_section_and_status(client, world):
    answer(response_for(world.assessment_a, "DEL-02"), world.manager_a)
    client.force_login(world.manager_a)
    html = task_list(client, world.assessment_a, provenance="question", section="DEL")
    assert "Showing 9 of 61 items." in html
    html = task_list(client, world.assessment_a, provenance="question", section="DEL", status="in_place")
    assert codes(html) == ["DEL-02"]
    assert "Showing 1 of 61 items." in html
    html = task_list(client, world.assessment_a, provenance="service", section="DEL")
    assert "Showing 0 of 61 items." in html and "No items in this section match the filters." in html


def test_an_unknown_source_filters_nothing_out(client, world):
    client.force_login(world.manager_a)
    html = task_list(client, world.assessment_a, provenance="hearsay")
    assert len(codes(html)) == 61


def test_filtering_costs_no_query(client, world):
    client.force_login(world.manager_a)
    task_list(client, world.assessment_a)  # the framework's items memoised, as on any warm process
    with assert_query_count(5, "the task list"):
        task_list(client, world.assessment_a)
    with assert_query_count(5, "the task list filtered by provenance, section and status"):
        task_list(client, world.assessment_a, provenance="requirement", section="EMP", status="not_started")

"""A due date that is not a real date: the error summary links to the Day box, and without JavaScript it stands at
the top of the page, above the question, as GOV.UK places it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

NOT_REAL = "Due date must be a real date, for example 31 3 2010"


def _post(client, world, *, htmx: bool):
    data = {
        "status": "in_progress",
        "narrative": "",
        "not_applicable_reason": "",
        "due_date_0": "31",
        "due_date_1": "2",
        "due_date_2": "2010",
        "base_version": "1",
    }
    url = reverse("checklists:item", args=[world.assessment_a.pk, "EMP-03"])
    return client.post(url, data, headers={"HX-Request": "true"} if htmx else {}).content.decode()


def _summary_links(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'class="govuk-error-summary".*?</ul>', html, re.S).group(0)
    return [(href, text.strip()) for href, text in re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary, re.S)]


@pytest.mark.parametrize("htmx", [False, True], ids=["javascript-off", "htmx"])
def test_the_summary_links_a_whole_date_error_to_the_day_box(client, world, htmx):
    client.force_login(world.manager_a)
    html = _post(client, world, htmx=htmx)
    assert _summary_links(html) == [("id_due_date_0", NOT_REAL)]
    assert 'id="id_due_date_0"' in html
    assert html.count("govuk-error-summary__title") == 1


def test_without_javascript_the_summary_is_above_the_question_and_the_title_says_error(client, world):
    client.force_login(world.manager_a)
    html = _post(client, world, htmx=False)
    assert html.index("govuk-error-summary") < html.index('<h1 class="govuk-heading-l">')
    assert html.index("govuk-error-summary") < html.index(">Your answer</h2>")
    assert re.search(r"<title>\s*Error: ", html)

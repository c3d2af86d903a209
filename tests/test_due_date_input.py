"""The item page's due date: bad day, month or year input gets a clear error that says what to fix, never a 500."""

from __future__ import annotations

import datetime
import html as html_lib
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

REAL_DATE = "Due date must be a real date, for example 31 3 2010"
DAY = "The day of the due date must be a number from 1 to 31"
MONTH = "The month of the due date must be a number from 1 to 12"
YEAR = "The year of the due date must be 4 digits, for example 2010"


def _post(client, world, day, month, year):
    client.raise_request_exception = False  # a server error must show as a 500 here, not as the exception
    data = {
        "status": "in_progress",
        "narrative": "Keep this text",
        "not_applicable_reason": "",
        "due_date_0": day,
        "due_date_1": month,
        "due_date_2": year,
        "base_version": "1",
    }
    return client.post(reverse("checklists:item", args=[world.assessment_a.pk, "EMP-03"]), data)


def _summary(page) -> list[str]:
    html = page.content.decode()
    block = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', html, re.S)
    assert block, "no error summary on the page"
    return [html_lib.unescape(text).strip() for text in re.findall(r"<a [^>]*>(.*?)</a>", block.group(1), re.S)]


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        pytest.param("1", "1", "99999999999999999999", [YEAR], id="overflowing-year"),
        pytest.param("1", "1", "9" * 5000, [YEAR], id="year-longer-than-int-parsing-allows"),
        pytest.param("1", "1", "10", [YEAR], id="two-digit-year"),
        pytest.param("31", "2", "2010", [REAL_DATE], id="31-february"),
        pytest.param("29", "2", "2011", [REAL_DATE], id="29-february-not-a-leap-year"),
        pytest.param("0", "3", "2010", [REAL_DATE], id="day-zero"),
        pytest.param("1", "13", "2010", [REAL_DATE], id="month-13"),
        pytest.param("1", "1", "0000", [REAL_DATE], id="year-zero"),
        pytest.param("a", "b", "c", [DAY, MONTH, YEAR], id="letters"),
        pytest.param("1st", "3", "2010", [DAY], id="ordinal-day"),
        pytest.param("-1", "3", "2010", [DAY], id="negative-day"),
        pytest.param("1", "March", "2010", [MONTH], id="month-name"),
        pytest.param("1", "3", "２０１０", [YEAR], id="full-width-digits"),
        pytest.param("123", "3", "2010", [DAY], id="three-digit-day"),
    ],
)
def test_a_bad_due_date_is_explained_and_nothing_is_saved(client, world, day, month, year, expected):
    client.force_login(world.manager_a)
    page = _post(client, world, day, month, year)
    assert page.status_code == 200
    assert _summary(page) == expected
    html = page.content.decode()
    assert "out of range" not in html and "Enter a valid" not in html
    assert "Keep this text" in html
    response = world.assessment_a.responses.get(item__code="EMP-03")
    assert (response.version, response.due_date, response.narrative) == (1, None, "")


def test_a_real_due_date_is_still_saved(client, world):
    client.force_login(world.manager_a)
    page = _post(client, world, " 29", "02 ", "2012")
    assert page.status_code == 302
    response = world.assessment_a.responses.get(item__code="EMP-03")
    assert (response.version, response.due_date) == (2, datetime.date(2012, 2, 29))

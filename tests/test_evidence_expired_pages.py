"""Evidence on the pages: the evidence form asks for the date the evidence speaks for and, optionally, the last day it
holds (GOV.UK date inputs, errors that say what to fix); expired evidence shows "Expired on <date>" on the item page
and the task list, and "Evidence missing" shows where an item that expects evidence has none current, on the item
page, the task list, the assessment's summary and the submit page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from checklists.models import Evidence
from phb_readiness.dates import short_date
from tests.partnership_support import answer, give_evidence, response_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _add_url(world, code: str = "EMP-01") -> str:
    return reverse("checklists:evidence_add", args=[world.assessment_a.pk, code])


def _date(prefix: str, day: datetime.date) -> dict:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


@pytest.fixture
def expired(world):
    """EMP-01 answered in place with a certificate that expired yesterday."""
    yesterday = TODAY() - datetime.timedelta(days=1)
    response = response_for(world.assessment_a, "EMP-01")
    give_evidence(response, world.manager_a, dated=yesterday - datetime.timedelta(days=365), valid_until=yesterday)
    answer(response_for(world.assessment_a, "EMP-01"), world.manager_a, with_evidence=False)
    return yesterday


def test_the_form_asks_for_the_dates_and_keeps_them(client, world):
    client.force_login(world.manager_a)
    page = client.get(reverse("checklists:item", args=[world.assessment_a.pk, "EMP-01"])).content.decode()
    assert "Date of the evidence" in page and "Valid-until date" in page
    assert 'name="link-valid_until_0"' in page and 'name="upload-dated_2"' in page
    dated, until = TODAY() - datetime.timedelta(days=10), TODAY() + datetime.timedelta(days=355)
    reply = client.post(
        _add_url(world),
        {"link-url": "https://intranet.example.nhs.uk/insurance", "link-title": "Insurance certificate"}
        | _date("link-dated", dated)
        | _date("link-valid_until", until),
    )
    assert reply.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.dated, evidence.valid_until) == (dated, until)


def test_without_dates_the_evidence_is_dated_today_and_holds_without_end(client, world):
    client.force_login(world.manager_a)
    reply = client.post(_add_url(world), {"link-url": "https://intranet.example.nhs.uk/minutes"})
    assert reply.status_code == 302
    assert Evidence.objects.values_list("dated", "valid_until").get() == (TODAY(), None)


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (
            lambda t: (
                _date("link-dated", t - datetime.timedelta(days=5))
                | _date("link-valid_until", t - datetime.timedelta(days=9))
            ),
            "The valid-until date must be the same as or after the date of the evidence",
        ),
        (
            lambda t: _date("link-valid_until", t - datetime.timedelta(days=1)),
            "The valid-until date must be today or in the future: expired evidence does not count",
        ),
        (
            lambda t: _date("link-dated", t + datetime.timedelta(days=1)),
            "The date of the evidence must be today or in the past",
        ),
        (
            lambda t: {"link-valid_until_0": "31", "link-valid_until_1": "2", "link-valid_until_2": str(t.year + 1)},
            "The valid-until date must be a real date, for example 31 3 2010",
        ),
        (
            lambda t: {"link-dated_0": "1", "link-dated_1": "March", "link-dated_2": "2010"},
            "The month of the date of the evidence must be a number from 1 to 12",
        ),
    ],
)
def test_dates_that_cannot_be_right_are_refused_with_what_to_fix(client, world, dates, message):
    client.force_login(world.manager_a)
    reply = client.post(_add_url(world), {"link-url": "https://intranet.example.nhs.uk/x"} | dates(TODAY()))
    html = reply.content.decode()
    assert reply.status_code == 200 and "govuk-error-summary" in html and "<title>Error: " in html
    assert message in html
    assert not Evidence.objects.exists()


def test_expired_evidence_shows_its_date_on_the_item_page(client, world, expired):
    client.force_login(world.rep_a)
    page = client.get(reverse("checklists:item", args=[world.assessment_a.pk, "EMP-01"])).content.decode()
    assert f"Expired on {expired.day} {expired:%B %Y}" in page
    assert 'id="evidence-missing"' in page and "keeps the assessment from being submitted" in page


def test_expired_evidence_and_evidence_missing_show_on_the_task_list(client, world, expired):
    answer(response_for(world.assessment_a, "EMP-02"), world.manager_a, with_evidence=False)
    client.force_login(world.manager_a)
    page = client.get(reverse("checklists:assessment", args=[world.assessment_a.pk])).content.decode()
    row = page[page.index('id="item-EMP-01-hint"') :][:1500]
    assert f"Expired on {short_date(expired)}" in row.split("</div>")[0]
    assert "Evidence missing" in row.split("</div>")[0]
    other = page[page.index('id="item-EMP-02-hint"') :].split("</div>")[0]
    assert "Evidence missing" in other and "Expired on" not in other
    assert 'id="evidence-missing"' in page
    assert "evidence missing on 2" in page  # the EMP section's line


def test_the_submit_page_lists_evidence_missing_with_a_link(client, world, expired):
    client.force_login(world.manager_a)
    page = client.get(reverse("checklists:submit", args=[world.assessment_a.pk])).content.decode()
    assert "Evidence missing (1)" in page
    assert reverse("checklists:item", args=[world.assessment_a.pk, "EMP-01"]) in page
    assert "EMP-01 is recorded as in place but its evidence is missing or has expired" in page

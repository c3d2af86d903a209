"""A pilot manager attaches an insurance certificate with its dates in the browser (JavaScript on and off); a
certificate that has expired shows "Expired on" on the item page and the task list, and the item "Evidence missing"
until current evidence is added. At desktop width and at 390 px, no page wider than the screen."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.partnership_support import answer, give_evidence, response_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shot(page, screenshot_dir: Path, name: str) -> None:
    page.screenshot(path=screenshot_dir / f"{name}.png", full_page=True)


def _date(form, legend: str, day: datetime.date) -> None:
    group = form.get_by_role("group", name=legend, exact=True)
    for part, value in zip(("Day", "Month", "Year"), (day.day, day.month, day.year), strict=True):
        group.get_by_label(part, exact=True).fill(str(value))


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "page wider than the screen"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_certificate_with_its_dates_and_one_expired(
    live_server, world, screenshot_dir, signed_in_context, javascript
):
    today = timezone.localdate()
    expired = today - datetime.timedelta(days=3)
    emp02 = response_for(world.assessment_a, "EMP-02")
    give_evidence(emp02, world.manager_a, dated=expired - datetime.timedelta(days=364), valid_until=expired)
    answer(response_for(world.assessment_a, "EMP-02"), world.manager_a, with_evidence=False)

    context = signed_in_context(world.manager_a, javascript=javascript)
    page = context.new_page()
    base = f"{live_server.url}/assessments/{world.assessment_a.pk}"
    suffix = "js" if javascript else "nojs"

    # A link with a valid-until date before the date of the evidence: refused, saying what to fix.
    page.goto(f"{base}/items/EMP-01/")
    link = page.locator("details", has_text="Add a link instead")
    if link.get_attribute("open") is None:
        link.locator("summary").click()
    form = page.locator("details", has_text="Add a link instead")
    form.get_by_label("Web address").fill("https://intranet.example.nhs.uk/insurance/employers-liability.pdf")
    form.get_by_label("Title (optional)").fill("Employer's liability certificate")
    _date(form, "Date of the evidence", datetime.date(today.year, 4, 1))
    _date(form, "Valid-until date", datetime.date(today.year, 3, 31))
    form.get_by_role("button", name="Add link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The valid-until date must be the same as or after the date of the evidence"
    )
    _shot(page, screenshot_dir, f"evidence-dates-error-{suffix}")

    form = page.locator("details", has_text="Add a link instead")
    issued, until = today - datetime.timedelta(days=30), today + datetime.timedelta(days=335)
    _date(form, "Date of the evidence", issued)
    _date(form, "Valid-until date", until)
    if not form.get_by_label("Web address").input_value():
        form.get_by_label("Web address").fill("https://intranet.example.nhs.uk/insurance/employers-liability.pdf")
    form.get_by_role("button", name="Add link").click()
    expect(page.get_by_text("Evidence added to EMP-01")).to_be_visible()
    expect(page.locator(".app-evidence-table")).to_contain_text(f"valid until {until.day} {until:%B %Y}")
    _fits(page)
    _shot(page, screenshot_dir, f"evidence-dates-added-{suffix}")

    page.goto(f"{base}/items/EMP-02/")
    expect(page.locator(".app-evidence-table")).to_contain_text(f"Expired on {expired.day} {expired:%B %Y}")
    expect(page.locator("#evidence-missing")).to_contain_text("Evidence missing")
    _shot(page, screenshot_dir, f"evidence-expired-item-{suffix}")

    page.goto(f"{base}/")
    expect(page.locator("#item-EMP-02-hint")).to_contain_text("Expired on")
    expect(page.locator("#item-EMP-02-hint")).to_contain_text("Evidence missing")
    _shot(page, screenshot_dir, f"evidence-expired-task-list-{suffix}")

    page.set_viewport_size({"width": 390, "height": 844})
    for url, name in ((f"{base}/items/EMP-02/", "item"), (f"{base}/", "task-list")):
        page.goto(url)
        _fits(page)
        _shot(page, screenshot_dir, f"evidence-expired-{name}-phone-{suffix}")

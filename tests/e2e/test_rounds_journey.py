"""A reviewer compares a site's two rounds in the browser (JavaScript on and off), at desktop and phone widths, and
sees the programme over time on the national overview."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from checklists.models import Response
from phb_readiness.reports.history import months_back, snapshot_take
from phb_readiness.reports.models import ReadinessSnapshot
from tests.partnership_support import answer, first_response
from tests.rounds_support import next_round

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rounds(world):
    second = next_round(world)
    changed = first_response(second)
    answer(changed, world.manager_a, status=Response.Status.NOT_IN_PLACE, narrative="The indemnity lapsed in June.")
    return second, changed


@pytest.fixture
def months(world):
    """Eleven stored months for the site's region, then this month as the daily job takes it."""
    for n, month in enumerate(months_back(timezone.localdate(), 12)[:-1]):
        ReadinessSnapshot.objects.create(
            region=world.site_a.region,
            month=month,
            sites=2,
            ready=n // 4,
            accepted=n // 6,
            returned=n % 2,
            open_concerns=(n * 3) % 5,
        )
    snapshot_take()


def no_wider_than_the_screen(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_reviewer_compares_the_rounds(live_server, signed_in_context, world, rounds, javascript, screenshot_dir):
    second, changed = rounds
    page = signed_in_context(world.reviewer, javascript=javascript).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))

    page.goto(f"{live_server.url}/assessments/{second.pk}/?carried=on")
    expect(page.locator("#filter-count")).to_contain_text(f"Showing {second.responses.count() - 1} of")
    mode = "js" if javascript else "nojs"
    page.locator(".govuk-task-list").first.screenshot(path=screenshot_dir / f"rounds-tasklist-1200-{mode}.png")
    page.get_by_role("link", name="Compare with the previous round").click()
    expect(page.get_by_role("heading", name="Rounds compared")).to_be_visible()
    expect(page.locator("#changed-count")).to_contain_text(f"1 of {second.responses.count()} items changed")
    row = page.locator(f"#compare-{changed.item.code}")
    expect(row).to_contain_text("Changed: status, narrative")
    expect(row).to_contain_text("The indemnity lapsed in June.")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=screenshot_dir / f"rounds-compare-1280-{mode}.png", full_page=False)

    # Only what changed, through the GET form.
    page.get_by_label("Only items that changed").check()
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("tr[id^=compare-]")).to_have_count(1)
    assert "changed=on" in page.url

    page.set_viewport_size({"width": 390, "height": 844})
    no_wider_than_the_screen(page)
    page.screenshot(path=screenshot_dir / f"rounds-compare-390-{mode}.png", full_page=True)
    assert not errors, errors


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_overview_shows_the_programme_over_time(
    live_server, signed_in_context, world, months, javascript, screenshot_dir
):
    page = signed_in_context(world.reviewer, javascript=javascript).new_page()
    page.goto(live_server.url + reverse("reports:overview"))
    chart = page.locator("#history-total .app-chart-frame--wide svg.app-chart")
    expect(chart).to_be_visible()
    mode = "js" if javascript else "nojs"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#programme-over-time").screenshot(path=screenshot_dir / f"rounds-chart-1280-{mode}.png")
    page.get_by_text("All regions: the figures as a table").click()
    expect(page.locator("#history-total table")).to_contain_text(timezone.localdate().strftime("%B %Y"))
    page.set_viewport_size({"width": 390, "height": 844})
    no_wider_than_the_screen(page)
    expect(page.locator("#history-total .app-chart-frame--narrow svg.app-chart")).to_be_visible()  # drawn to fit
    page.locator("#programme-over-time").screenshot(path=screenshot_dir / f"rounds-chart-390-{mode}.png")

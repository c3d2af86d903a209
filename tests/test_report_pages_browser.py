"""The report pages in a real browser: axe finds nothing serious, and the progress page updates itself (htmx)
until the download is offered, with JavaScript and, by refreshing, without it."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection
from django.test import Client
from playwright.sync_api import expect

from phb_readiness.reports.models import Report
from phb_readiness.reports.services import report_render

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in(browser, live_server, settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    contexts = []

    def make(user, *, javascript: bool = True):
        client = Client()
        client.force_login(user)
        context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1200, "height": 900})
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page

    yield make
    for context in contexts:
        context.close()


def queued_report(world) -> Report:
    return Report.objects.create(
        kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a, requested_by=world.reviewer
    )


def test_report_pages_pass_axe(live_server, world, signed_in, screenshot_dir):
    report = queued_report(world)
    page = signed_in(world.reviewer)
    for name, path in {
        "overview": "/overview/",
        "overview-error": "/overview/?rag=purple",
        "list": "/reports/",
        "detail-queued": f"/reports/{report.pk}/",
        "verify": "/reports/verify/",
    }.items():
        page.goto(live_server.url + path)
        page.screenshot(path=screenshot_dir / f"reports-{name}.png", full_page=True)
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']}"
            for v in Axe().run(page).response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        assert violations == [], f"{name}: {violations}"


def test_the_progress_page_updates_itself_until_the_download(live_server, world, signed_in):
    report = queued_report(world)
    page = signed_in(world.reviewer)
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    expect(page.locator("#report-status")).to_contain_text("Queued")
    report_render(report_id=report.pk)  # a worker finishes it while the page is open
    # The page polls every 2 s: wait for its final state (the poll stops there), however long the render took.
    download_link = page.get_by_role("link", name="Download the report")
    expect(download_link).to_be_visible(timeout=30_000)
    expect(page.locator("#report-status")).not_to_have_attribute("hx-trigger", re.compile(".*"))
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == f"phb-readiness-SITE-A-report-{report.pk}.pdf"


def test_without_javascript_a_refresh_shows_the_download(live_server, world, signed_in):
    """Without JavaScript the page reloads itself every 5 s while the report is made (and offers a Refresh link):
    whichever comes first after the render, the reload or the click, the final state is waited for, not raced."""
    report = queued_report(world)
    page = signed_in(world.rep_a, javascript=False)
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    expect(page.get_by_role("link", name="Refresh")).to_have_count(1)
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(1)
    report_render(report_id=report.pk)
    page.get_by_role("link", name="Refresh").or_(page.get_by_role("link", name="Download the report")).first.click()
    expect(page.get_by_role("link", name="Download the report")).to_be_visible(timeout=30_000)
    # The final page reloads itself no more and offers no Refresh.
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(0)
    expect(page.get_by_role("link", name="Refresh")).to_have_count(0)


@pytest.mark.parametrize("javascript", [True, False])
def test_a_site_report_asked_for_from_the_overview(live_server, world, signed_in, settings, javascript):
    """The rows' PDF buttons share one form (form and formaction attributes), with or without JavaScript. As in the
    embedded run, the render runs after the answer: the report's page comes at once, with the report queued.

    On SQLite the test database is a shared in-memory cache, where a write beside another connection's fails at
    once instead of waiting as the embedded run's file database does; there the render runs inside the request."""
    settings.PHB_BACKGROUND_TASKS = connection.vendor != "sqlite"
    page = signed_in(world.reviewer, javascript=javascript)
    page.goto(f"{live_server.url}/overview/")
    page.get_by_role("button", name=f"Ask for a PDF report of {world.site_a.name}").click()
    page.wait_for_url(f"{live_server.url}/reports/*/")
    report = Report.objects.get()
    assert (report.kind, report.site, report.requested_by) == (Report.Kind.SITE, world.site_a, world.reviewer)
    message = "Your report has been queued." if settings.PHB_BACKGROUND_TASKS else "Your report is ready."
    assert page.get_by_text(message).count() == 1
    expect(page.get_by_role("link", name=re.compile("Download the report"))).to_be_visible(timeout=120_000)

"""The header menu on a phone is drawn collapsed from the first paint, so nothing moves when its script runs; it still
opens with the Menu button, stays open without JavaScript, and is a plain row of links on a desktop."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAYOUT_SHIFT = """() => new Promise((resolve) => {
  let total = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) { if (!entry.hadRecentInput) total += entry.value; }
  }).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve(total), 300);
})"""


def _context(browser, live_server, user, *, width: int, javascript: bool = True):
    client = Client()
    client.force_login(user)
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": 844})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


def _late_scripts(page) -> None:
    """Hold the app's script back a moment, as a slow phone connection does, so the page is drawn before it runs."""

    def late(route):
        time.sleep(0.6)
        route.continue_()

    page.route("**/js/app*.js", late)


def test_on_a_phone_the_menu_is_collapsed_before_its_script_runs_and_nothing_moves(
    live_server, browser, world, screenshot_dir
):
    context = _context(browser, live_server, world.manager_a, width=390)
    page = context.new_page()
    _late_scripts(page)
    page.goto(live_server.url + "/", wait_until="commit")
    page.wait_for_selector(".govuk-header__menu-button", state="visible")
    # drawn collapsed while the script is still on its way
    assert page.is_hidden("#navigation")
    assert page.evaluate("document.querySelector('.govuk-header__menu-button').hasAttribute('aria-expanded')") is False
    page.wait_for_selector(".govuk-header__menu-button[aria-expanded='false']")
    assert page.evaluate(LAYOUT_SHIFT) == 0
    page.click(".govuk-header__menu-button")
    assert page.is_visible("#navigation a:has-text('Your account')")
    page.screenshot(path=screenshot_dir / "header-menu-open-390.png")
    context.close()


def test_without_javascript_the_menu_stays_open_on_a_phone(live_server, browser, world, screenshot_dir):
    context = _context(browser, live_server, world.manager_a, width=390, javascript=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.is_visible("#navigation a:has-text('Your account')")
    assert page.is_hidden(".govuk-header__menu-button")
    page.screenshot(path=screenshot_dir / "header-no-js-390.png")
    context.close()


def test_on_a_desktop_the_links_show_and_the_button_does_not(live_server, browser, world):
    context = _context(browser, live_server, world.manager_a, width=1280)
    page = context.new_page()
    _late_scripts(page)
    page.goto(live_server.url + "/")
    page.wait_for_load_state("load")
    assert page.is_visible("#navigation a:has-text('Your account')")
    assert page.is_hidden(".govuk-header__menu-button")
    assert page.evaluate(LAYOUT_SHIFT) == 0
    context.close()

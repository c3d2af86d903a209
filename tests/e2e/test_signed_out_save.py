"""A save with htmx after the session has ended, or that never reaches the server, keeps the typed text and says why."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

from checklists.models import Response
from tests.e2e.conftest import sign_in_with_form
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NARRATIVE = "An hour of careful wording about the workforce impact assessment, agreed at the forum."
SIGNED_OUT = (
    "You have been signed out. Your changes have not been saved: copy them, sign in again in a new tab, then save."
)


def _watch_for_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.text.startswith("CSP violation") and errors.append(message.text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.sourceFile + ':' + e.lineNumber))"
    )
    return errors


def _open_item_and_type(browser, live_server, world):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors = _watch_for_errors(page)
    sign_in_with_form(page, live_server.url, "manager-a")
    page.goto(f"{live_server.url}/assessments/{world.assessment_a.pk}/items/EMP-03/")
    page.locator("textarea[name='narrative']").fill(NARRATIVE)
    return context, page, errors


def _narrative(world) -> str:
    return Response.objects.get(assessment=world.assessment_a, item__code="EMP-03").narrative


def test_a_save_after_signing_out_keeps_the_text_and_works_after_signing_in_again(
    browser, live_server, world, screenshot_dir
):
    context, page, errors = _open_item_and_type(browser, live_server, world)
    context.clear_cookies(name=settings.SESSION_COOKIE_NAME)  # the session has ended; the CSRF cookie stays

    page.get_by_role("button", name="Save answer").click()

    banner = page.locator("#app-save-problem")
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("role", "alert")
    expect(banner).to_contain_text(SIGNED_OUT)
    expect(banner).to_be_focused()
    link = banner.get_by_role("link", name="Sign in again (opens in a new tab)")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("href", f"/accounts/login/?next=/assessments/{world.assessment_a.pk}/items/EMP-03/")
    expect(page.locator("textarea[name='narrative']")).to_have_value(NARRATIVE)
    expect(page.locator("#response-form-region")).not_to_contain_text("Sign in")
    assert page.locator("#main-content > *").first.get_attribute("id") == "app-save-problem"
    page.screenshot(path=screenshot_dir / "signed-out-save.png", full_page=True)
    assert _narrative(world) == ""

    # Signing in again in another tab changes the CSRF token; the next save here fetches the new one first.
    with context.expect_page() as new_tab:
        link.click()
    other = new_tab.value
    other.fill("#id_username", "manager-a")
    other.fill("#id_password", TEST_PASSWORD)
    other.click("button:has-text('Sign in')")
    other.wait_for_url(f"{live_server.url}/assessments/{world.assessment_a.pk}/items/EMP-03/")
    other.close()

    page.get_by_role("button", name="Save answer").click()
    expect(page.get_by_text("EMP-03 saved (version 2).")).to_be_visible()
    expect(page.locator("#app-save-problem")).to_have_count(0)
    assert _narrative(world) == NARRATIVE
    context.close()
    assert errors == []


FAILED = "The save did not reach the server. Your text is still in the form; try again."
REFUSED = "You can no longer change this item. Your changes have not been saved: copy them before you leave this page."


@pytest.mark.parametrize(
    ("failure", "message"), [("network", FAILED), ("server", FAILED), ("refused", REFUSED)], ids=lambda v: v[:7]
)
def test_a_save_that_fails_on_the_way_keeps_the_text(browser, live_server, world, screenshot_dir, failure, message):
    context, page, errors = _open_item_and_type(browser, live_server, world)

    def fail(route):
        if route.request.method != "POST":
            return route.continue_()
        if failure == "network":
            return route.abort()
        return route.fulfill(status=502 if failure == "server" else 403, body="No")

    page.route("**/items/EMP-03/", fail)
    page.get_by_role("button", name="Save answer").click()

    expect(page.locator("#app-save-problem")).to_contain_text(message)
    expect(page.locator("#app-save-problem a")).to_have_count(0)
    expect(page.locator("textarea[name='narrative']")).to_have_value(NARRATIVE)
    page.screenshot(path=screenshot_dir / f"save-failed-{failure}.png")

    page.unroute("**/items/EMP-03/")
    page.get_by_role("button", name="Save answer").click()
    expect(page.get_by_text("EMP-03 saved (version 2).")).to_be_visible()
    expect(page.locator("#app-save-problem")).to_have_count(0)
    assert _narrative(world) == NARRATIVE
    context.close()
    assert errors == []

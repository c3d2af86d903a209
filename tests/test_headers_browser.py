"""In a real browser the Content Security Policy holds: no violation reported on the sign-in and home pages."""

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_no_csp_violation_on_sign_in_and_home(browser, live_server, world, screenshot_dir):
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_load_state("networkidle")
    page.fill("#id_username", "manager-a")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state("networkidle")
    assert page.url == f"{live_server.url}/"
    page.screenshot(path=screenshot_dir / "security-home-under-csp.png", full_page=True)
    page.close()

    violations = [line for line in console if "Content Security Policy" in line or "CSP violation" in line]
    assert violations == []
    assert [line for line in console if line.startswith("pageerror")] == []

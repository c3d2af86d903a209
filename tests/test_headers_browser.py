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


def test_no_csp_violation_in_the_admin(browser, live_server, world):
    from django.test import Client

    client = Client()
    client.force_login(world.admin)
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    for path in ["/admin/", "/admin/audit/auditevent/", "/admin/sites/membership/add/", "/admin/checklists/response/"]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    context.close()
    assert [line for line in console if "Content Security Policy" in line or "CSP violation" in line] == []

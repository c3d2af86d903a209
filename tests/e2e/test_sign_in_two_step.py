"""In a browser, with production's rules: a manager signs in, sets up an authenticator app, sees the recovery codes
once and reaches their sites; later signs in with a recovery code; and finds the password reset from sign-in."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD
from tests.mfa_support import current_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def production_rules(settings):
    settings.PHB_MFA_ENFORCED = True
    settings.EMBEDDED = False


def _sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button:has-text('Sign in')")


def test_set_up_then_a_recovery_code_then_the_reset_link(browser, live_server, world, production_rules, screenshot_dir):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    _sign_in(page, live_server.url, "manager-a")
    expect(page.get_by_role("heading", name="Set up two-step verification")).to_be_visible()
    page.fill("#id_code", current_code(TOTPDevice.objects.get(user=world.manager_a)))
    page.click("button:has-text('Turn on two-step verification')")

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{4} [a-z2-7]{4}", code) for code in codes)
    page.screenshot(path=screenshot_dir / "recovery-codes.png", full_page=True)
    page.click("text=I have saved my recovery codes")
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()

    page.click("button:has-text('Sign out')")
    _sign_in(page, live_server.url, "manager-a")
    expect(page.get_by_role("heading", name="Enter your verification code")).to_be_visible()
    page.fill("#id_code", codes[0])
    page.click("button:has-text('Continue')")
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()
    expect(page.locator("body")).to_contain_text("You used a recovery code: 9 left")

    page.click("button:has-text('Sign out')")
    page.click("text=Forgotten your password?")
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    context.close()

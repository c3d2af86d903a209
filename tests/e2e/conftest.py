"""Browser journeys: a live server with the app's static files, and signed-in browser contexts."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import TEST_PASSWORD


@pytest.fixture(autouse=True)
def _static_files_from_finders(settings):
    """No collectstatic in tests: let WhiteNoise find the CSS and JavaScript where the finders do."""
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


def sign_in_with_form(page, base_url: str, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in the way a person does, through the sign-in page."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base_url}/")


@pytest.fixture
def signed_in_context(browser, live_server):
    """A new browser context already signed in as a user (session cookie from the test client), closed afterwards."""
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
        return context

    yield make
    for context in contexts:
        context.close()

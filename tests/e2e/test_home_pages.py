"""Each role's home page in the browser, on the demo's data: what is waiting, as links to where it is done; no page
wider than a 390 px phone, with JavaScript on and off. Screenshots go to test-artifacts/screenshots/ for people to
look at. Also, in the browser: the warnings before a sign-off is superseded, and the confirmation before evidence
is removed."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from checklists.models import Evidence, Readiness

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# username: what the home page must offer that person on the demo's data
ROLES = {
    "demo-manager": "Your sites",
    "demo-contributor": "Waiting for you",
    "demo-rep": "Waiting for you",
    "demo-manager-3": "Make the changes asked for",  # DEMO-C was returned, with a concern open
    "demo-reviewer": "Review queue",
    "demo-observer": "Waiting for you",
}


@pytest.fixture
def demo(framework, settings):
    settings.DEBUG = True  # seed_demo runs only in the embedded (debug) set-up
    call_command("seed_demo")
    settings.DEBUG = False
    mail.outbox.clear()
    # one site has not moved for six weeks, for the reviewers' list
    Readiness.objects.filter(site__code="DEMO-A").update(last_change=timezone.now() - datetime.timedelta(days=42))


@pytest.mark.parametrize("username", sorted(ROLES))
def test_home_page_of_each_role_fits_a_phone(live_server, signed_in_context, demo, screenshot_dir, username):
    user = get_user_model().objects.get(username=username)
    errors: list[str] = []
    for javascript in (True, False):
        context = signed_in_context(user, javascript=javascript)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server.url}/")
            assert page.locator("h1").inner_text() == "Waiting for you"
            assert ROLES[username] in page.content()
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{username} at {width}px (JavaScript {'on' if javascript else 'off'}): {scroll}px"
            js = "js" if javascript else "nojs"
            page.screenshot(path=str(screenshot_dir / f"home-{username}-{width}-{js}.png"), full_page=True)
    assert errors == []


def test_the_reviewers_review_button_opens_the_review(live_server, signed_in_context, demo):
    reviewer = get_user_model().objects.get(username="demo-reviewer")
    page = signed_in_context(reviewer).new_page()
    page.goto(f"{live_server.url}/")
    page.locator("#review-queue a.govuk-button").first.click()
    page.wait_for_load_state()
    assert "/review/" in page.url


@pytest.mark.parametrize("javascript", [True, False])
def test_removing_evidence_in_a_signed_section_warns_then_asks(
    live_server, signed_in_context, demo, screenshot_dir, javascript
):
    """DEMO-A's first section is signed by both sides: the item page warns before saving, Remove asks to confirm
    (and warns the same), and only "Yes, remove it" removes."""
    manager = get_user_model().objects.get(username="demo-manager")
    evidence = (
        Evidence.objects.current()
        .filter(response__assessment__site__code="DEMO-A", response__item__section__position=1)
        .select_related("response__item")
        .first()
    )
    item = f"{live_server.url}/assessments/{evidence.response.assessment_id}/items/{evidence.response.item.code}/"
    page = signed_in_context(manager, javascript=javascript).new_page()
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(item)
    assert page.locator("#signoff-warning").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    js = "js" if javascript else "nojs"
    page.screenshot(path=str(screenshot_dir / f"item-signoff-warning-390-{js}.png"), full_page=True)
    page.locator(f"a[href='/evidence/{evidence.pk}/remove/']").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Are you sure you want to remove this evidence?"
    assert page.locator("#signoff-warning").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshot_dir / f"evidence-remove-390-{js}.png"), full_page=True)
    assert Evidence.objects.filter(pk=evidence.pk, removed_at__isnull=True).exists()  # asking removed nothing
    page.click("button:has-text('Yes, remove it')")
    page.wait_for_load_state()
    assert "Evidence removed" in page.content()
    assert not Evidence.objects.filter(pk=evidence.pk, removed_at__isnull=True).exists()

"""A pilot manager completes an item in the browser, with and without JavaScript, and meets a colleague's save."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in_with_form

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


def _complete_item_with_upload(page, base: str, assessment_pk: int, shots, prefix: str) -> None:
    overview = f"{base}/assessments/{assessment_pk}/"
    page.goto(overview)
    expect(page.locator("#overall-progress")).to_contain_text("0 of 61 applicable items")
    page.screenshot(path=shots / f"{prefix}-1-overview.png", full_page=False)

    page.get_by_role("link", name=re.compile(r"^EMP-01 ")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("EMP-01")
    page.get_by_label("In place", exact=True).check()
    page.get_by_label("What is in place, and where is it recorded?").fill(
        "Workforce impact assessment agreed at the partnership forum."
    )
    page.get_by_role("button", name="Save answer").click()
    expect(page.get_by_text("EMP-01 saved (version 2).")).to_be_visible()
    page.screenshot(path=shots / f"{prefix}-2-saved.png", full_page=True)

    upload = page.locator("details", has_text="Upload a file")
    if upload.get_attribute("open") is None:
        upload.locator("summary").click()
    page.set_input_files(
        "input[name='upload-file']", files=[{"name": "forum-minutes.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_label("Title (optional)").first.fill("Partnership forum minutes")
    page.get_by_role("button", name="Upload file").click()
    expect(page.get_by_text("Evidence added to EMP-01: Partnership forum minutes.")).to_be_visible()
    expect(page.locator(".app-evidence-table")).to_contain_text("SHA-256")
    page.screenshot(path=shots / f"{prefix}-3-evidence.png", full_page=True)

    page.goto(overview)
    expect(page.locator("#overall-progress")).to_contain_text("1 of 61 applicable items")
    expect(page.locator("#item-EMP-01-status")).to_contain_text("In place")
    expect(page.locator("#item-EMP-01-hint")).to_contain_text("1 evidence")


def test_manager_completes_an_item_with_a_file_and_sees_progress(browser, live_server, world, screenshot_dir):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.text.startswith("CSP violation") and errors.append(message.text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.sourceFile + ':' + e.lineNumber))"
    )
    sign_in_with_form(page, live_server.url, "manager-a")
    _complete_item_with_upload(page, live_server.url, world.assessment_a.pk, screenshot_dir, "journey-js")
    context.close()
    assert errors == []


def test_the_same_journey_without_javascript(live_server, world, screenshot_dir, signed_in_context):
    context = signed_in_context(world.manager_a, javascript=False)
    page = context.new_page()
    _complete_item_with_upload(page, live_server.url, world.assessment_a.pk, screenshot_dir, "journey-nojs")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_second_editor_meets_the_conflict_message(live_server, world, screenshot_dir, signed_in_context, javascript):
    item = f"{live_server.url}/assessments/{world.assessment_a.pk}/items/EMP-02/"
    manager = signed_in_context(world.manager_a, javascript=javascript).new_page()
    contributor = signed_in_context(world.contributor_a, javascript=javascript).new_page()
    manager.goto(item)
    contributor.goto(item)

    manager.get_by_label("In progress", exact=True).check()
    manager.get_by_label("What is in place, and where is it recorded?").fill("Consultation runs until March.")
    manager.get_by_role("button", name="Save answer").click()
    expect(manager.get_by_text("EMP-02 saved (version 2).")).to_be_visible()

    narrative = contributor.get_by_label("What is in place, and where is it recorded?")
    narrative.fill("Staff side consulted on 12 January.")
    contributor.get_by_role("button", name="Save answer").click()
    expect(contributor.get_by_text("Your answer has not been saved")).to_be_visible()
    expect(contributor.locator("#conflict")).to_contain_text("Consultation runs until March.")
    expect(contributor.locator("#conflict")).to_contain_text("They changed: status, narrative")
    expect(narrative).to_have_value("Staff side consulted on 12 January.")
    contributor.screenshot(path=screenshot_dir / f"conflict-{'js' if javascript else 'nojs'}.png", full_page=True)

    narrative.fill("Consultation runs until March; staff side consulted on 12 January.")
    contributor.get_by_role("button", name="Save answer").click()
    expect(contributor.get_by_text("EMP-02 saved (version 3).")).to_be_visible()
    response = world.assessment_a.responses.get(item__code="EMP-02")
    assert response.narrative == "Consultation runs until March; staff side consulted on 12 January."
    assert response.status == "in_progress"

"""A pilot manager downloads the site's spreadsheet, edits it, uploads it, checks every change in the preview
(one of them a conflict with a colleague's edit) and imports it; with JavaScript and without."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from checklists.models import Response
from tests.import_support import set_cells
from tests.partnership_support import answer, response_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shoot(page, shots: Path, name: str) -> None:
    """The page at desktop and phone widths; at the phone's, nothing is wider than the viewport."""
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=shots / f"import-{name}-{width}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_manager_imports_an_edited_spreadsheet_through_the_preview(
    live_server, world, signed_in_context, tmp_path, screenshot_dir, javascript
):
    mode = "js" if javascript else "nojs"
    a = world.assessment_a
    page = signed_in_context(world.manager_a, javascript=javascript).new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/assessments/{a.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the checklist (Excel)").click()
    exported = Path(download.value.path()).read_bytes()

    data = set_cells(
        exported,
        "EMP-01",
        Status="In progress",
        Narrative="Impact assessment drafted with the staff side.",
        Owner=world.contributor_a.email,
        Due_date=datetime.date(2010, 3, 31),
    )
    data = set_cells(data, "EMP-02", Status="Not in place")
    # Meanwhile a colleague answers EMP-02 in the service: the spreadsheet's change to it is a conflict.
    answer(response_for(a, "EMP-02"), world.contributor_a, status=Response.Status.IN_PROGRESS, narrative="Started.")
    upload = tmp_path / "site-a-checklist.xlsx"
    upload.write_bytes(data)

    page.get_by_role("link", name="Import from a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import from a spreadsheet")
    _shoot(page, screenshot_dir, f"upload-{mode}")
    # A first try with a status the service does not know: the row's error says where and what to fix.
    mistaken = tmp_path / "mistaken.xlsx"
    mistaken.write_bytes(set_cells(data, "EMP-03", Status="Done"))
    page.set_input_files("input[name='file']", str(mistaken))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page).to_have_title(re.compile(r"^Error: Import from a spreadsheet"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Checklist sheet, row 4, column F (Status): “Done” is not a status."
    )
    _shoot(page, screenshot_dir, f"errors-{mode}")

    page.set_input_files("input[name='file']", str(upload))
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the changes before you import them")
    changes = page.locator("#changes")
    expect(changes).to_contain_text("EMP-01")
    expect(changes.locator("tr[data-item='EMP-01']")).to_have_count(4)
    expect(changes).to_contain_text("31 Mar 2010")
    expect(page.locator("#conflict-table")).to_contain_text("EMP-02")
    expect(page.get_by_label("Overwrite EMP-02")).not_to_be_checked()
    _shoot(page, screenshot_dir, f"preview-{mode}")
    assert response_for(a, "EMP-01").version == 1  # nothing written before the confirmation

    page.get_by_role("button", name="Import the changes").click()
    expect(page.get_by_text(re.compile(r"Imported 1 changed item: EMP-01\. Left alone.*EMP-02"))).to_be_visible()
    expect(page.locator("#item-EMP-01-status")).to_contain_text("In progress")
    _shoot(page, screenshot_dir, f"done-{mode}")
    first, second = response_for(a, "EMP-01"), response_for(a, "EMP-02")
    assert (first.status, first.owner) == ("in_progress", world.contributor_a)
    assert first.due_date == datetime.date(2010, 3, 31)
    assert (second.status, second.narrative) == ("in_progress", "Started.")

"""axe-core on every checklist page, in the states people meet them; serious or critical findings fail the run."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from checklists.models import Comment
from phb_readiness.sites.models import SiteRole

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


def _known_govuk_issue(violation: dict) -> bool:
    """aria-expanded on a radio that reveals a question: GOV.UK Frontend keeps it on purpose, because screen readers
    announce it (alphagov/govuk-frontend#979, listed there as a known axe finding)."""
    return violation["id"] == "aria-allowed-attr" and all(
        "govuk-radios__input" in node["html"] and "aria-expanded" in node["html"] for node in violation["nodes"]
    )


def _check(page, name: str, screenshot_dir) -> None:
    page.screenshot(path=screenshot_dir / f"a11y-{name}.png", full_page=True)
    results = Axe().run(page)
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING and not _known_govuk_issue(v)
    ]
    assert blocking == [], f"{name}: " + "; ".join(blocking)


@pytest.fixture
def concern(world):
    response = world.assessment_a.responses.get(item__code="EMP-02")
    return Comment.objects.create(
        response=response,
        author=world.rep_a,
        author_role=SiteRole.UNION_REP,
        body="Pensions not agreed yet.",
        is_concern=True,
        concern_state=Comment.ConcernState.OPEN,
    )


def test_manager_pages(live_server, world, concern, signed_in_context, screenshot_dir):
    # axe runs as JavaScript in the page, so these pages are checked with JavaScript on; the journeys cover it off.
    page = signed_in_context(world.manager_a).new_page()
    page.set_default_timeout(15_000)
    base, pk = live_server.url, world.assessment_a.pk
    suffix = "manager"
    pages = {
        "my-sites": "/",
        "overview": f"/assessments/{pk}/",
        "overview-filtered": f"/assessments/{pk}/?section=EMP&concerns=on",
        "item": f"/assessments/{pk}/items/EMP-02/",
        "submit": f"/assessments/{pk}/submit/",
    }
    for name, path in pages.items():
        page.goto(base + path)
        _check(page, f"{name}-{suffix}", screenshot_dir)

    # The item page with errors (not applicable without a reason) and the evidence form with an error.
    page.goto(f"{base}/assessments/{pk}/items/EMP-03/")
    page.get_by_label("Not applicable", exact=True).check()
    page.get_by_role("button", name="Save answer").click()
    page.get_by_text("Enter the reason this item does not apply to your site").first.wait_for()
    _check(page, f"item-errors-{suffix}", screenshot_dir)
    page.get_by_role("button", name="Upload file").click()
    page.get_by_text("Select a file to upload").first.wait_for()
    _check(page, f"evidence-errors-{suffix}", screenshot_dir)

    page.goto(f"{base}/assessments/{pk}/submit/")
    page.get_by_role("link", name="Back to the checklist").wait_for()
    _check(page, f"submit-{suffix}", screenshot_dir)


def test_read_only_item_page_for_a_union_rep(live_server, world, concern, signed_in_context, screenshot_dir):
    page = signed_in_context(world.rep_a).new_page()
    page.goto(f"{live_server.url}/assessments/{world.assessment_a.pk}/items/EMP-02/")
    _check(page, "item-read-only-rep", screenshot_dir)

"""The review with item queries in the browser, JavaScript on and off: the reviewer returns the demo's submitted
assessment with a query on two items (after a confirmation step); the manager sees them on the task list and at the
top of each item's page, is refused resubmission while one has no answer, changes one item, answers both, has the
section signed again and resubmits; the reviewer reads what changed since the return, old beside new, and resolves
both queries."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from checklists.models import Assessment, Response, ReviewEvent, ReviewQuery

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo(framework, settings):
    """The demo data: DEMO-B complete, signed by both sides and submitted for review."""
    settings.DEBUG = True  # seed_demo runs only in the embedded (debug) set-up
    call_command("seed_demo")
    settings.DEBUG = False
    mail.outbox.clear()
    User = get_user_model()
    return {
        "assessment": Assessment.objects.get(site__code="DEMO-B"),
        "manager": User.objects.get(username="demo-manager-2"),
        "rep": User.objects.get(username="demo-rep-2"),
        "reviewer": User.objects.get(username="demo-reviewer"),
    }


def two_items(assessment: Assessment) -> list[Response]:
    """The first readiness item of the first two sections."""
    chosen: list[Response] = []
    for response in (
        assessment.responses.filter(item__kind="readiness")
        .select_related("item__section")
        .order_by("item__section__position", "item__position")
    ):
        if not chosen or response.item.section_id != chosen[0].item.section_id:
            chosen.append(response)
        if len(chosen) == 2:
            return chosen
    raise AssertionError("the demo framework has fewer than two sections with readiness items")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_item_queries_from_return_to_resolution(live_server, signed_in_context, demo, screenshot_dir, javascript):
    base, a = live_server.url, demo["assessment"]
    first, second = two_items(a)
    review_url = f"{base}/assessments/{a.pk}/review/"
    item_url = f"{base}/assessments/{a.pk}/items/{{}}/"
    mode = "js" if javascript else "nojs"
    errors: list[str] = []

    def page_for(user):
        page = signed_in_context(user, javascript=javascript).new_page()
        page.set_viewport_size(DESKTOP)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
        return page

    def snap(page, name: str, *, phone: bool = False) -> None:
        if phone:
            page.set_viewport_size(PHONE)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name}: the page is {width} px wide on a phone"
        page.screenshot(path=screenshot_dir / f"review-{mode}-{name}{'-390' if phone else ''}.png", full_page=True)
        if phone:
            page.set_viewport_size(DESKTOP)

    reviewer, manager, rep = page_for(demo["reviewer"]), page_for(demo["manager"]), page_for(demo["rep"])

    # 1. The reviewer returns the assessment with reasons and a query on two items, then confirms.
    reviewer.goto(review_url)
    reviewer.get_by_label("Reasons for returning").fill("Two items need more before the forum can agree them.")
    for response, question in (
        (first, "Which partnership forum agreed this, and where are its minutes?"),
        (second, "Is the signed copy of the agreement attached?"),
    ):
        reviewer.locator(f"#queries-{response.item.section.code} summary").click()
        reviewer.locator(f'textarea[name="query-{response.item.code}"]').fill(question)
    snap(reviewer, "01-return-form")
    reviewer.get_by_role("button", name="Return to the site").click()
    expect(reviewer.get_by_role("heading", name="Return this assessment to the site?")).to_be_visible()
    expect(reviewer.locator("#confirm-summary")).to_contain_text("Is the signed copy of the agreement attached?")
    snap(reviewer, "02-return-confirm")
    reviewer.get_by_role("button", name="Yes, return it").click()
    expect(reviewer.get_by_text("with your reasons and 2 item queries")).to_be_visible()
    assert ReviewQuery.objects.filter(assessment=a, state="open").count() == 2

    # 2. The manager sees both queries on the task list and at the top of the first item's page.
    manager.goto(f"{base}/assessments/{a.pk}/")
    expect(manager.locator("#open-queries")).to_contain_text("The reviewer asked about 2 items")
    snap(manager, "03-task-list")
    manager.goto(item_url.format(first.item.code))
    expect(manager.locator("#review-queries")).to_contain_text("Which partnership forum agreed this")
    snap(manager, "04-item-with-query", phone=True)

    # 3. The manager changes the first item's answer and answers its query; resubmitting is refused while the
    # second query has no answer.
    manager.get_by_label("What is in place, and where is it recorded?").fill(
        "Agreed at the Riverside partnership forum of 12 March; its minutes are attached."
    )
    manager.get_by_role("button", name="Save answer").click()
    expect(manager.get_by_text(re.compile(r"saved \(version \d+\)"))).to_be_visible()
    manager.goto(item_url.format(first.item.code))
    manager.locator("#review-queries textarea").fill("The March forum agreed it; the minutes are attached.")
    manager.get_by_role("button", name=re.compile("^Answer query")).click()
    expect(manager.get_by_text(f"Your answer to the query on {first.item.code} was saved.")).to_be_visible()
    manager.goto(f"{base}/assessments/{a.pk}/submit/")
    expect(manager.locator("#blockers-query")).to_contain_text("Reviewer's queries without an answer (1)")
    expect(manager.get_by_text(f"{second.item.code}: the reviewer's query has no answer yet")).to_be_visible()
    snap(manager, "05-submit-refused")
    manager.goto(item_url.format(second.item.code))
    manager.locator("#review-queries textarea").fill("Yes: the signed copy is the second file under evidence.")
    manager.get_by_role("button", name=re.compile("^Answer query")).click()
    expect(manager.locator("#review-queries")).to_contain_text("Answer from")

    # 4. The change superseded the first section's sign-off: both sides sign again, and the manager resubmits.
    signoff_url = f"{base}/assessments/{a.pk}/sections/{first.item.section.code}/signoff/"
    manager.goto(signoff_url)
    manager.get_by_label("Statement").fill("Signed again after answering the reviewer.")
    manager.get_by_role("button", name="Sign off for management").click()
    rep.goto(signoff_url)
    rep.get_by_label("Staff-side statement").fill("Agreed.")
    rep.get_by_role("button", name="Acknowledge for the staff side").click()
    expect(rep.locator("#signoff-state")).to_contain_text("Signed off by both sides")
    manager.goto(f"{base}/assessments/{a.pk}/submit/")
    manager.get_by_role("button", name="Submit for review").click()
    expect(manager.get_by_text("was submitted for review")).to_be_visible()

    # 5. The reviewer reads what changed since the return, old beside new, and resolves both queries.
    reviewer.goto(review_url)
    changes = reviewer.locator("#changes-table")
    expect(changes).to_contain_text("Agreed at the Riverside partnership forum of 12 March")
    expect(reviewer.locator(f"#queried-{first.item.code}")).to_contain_text("The March forum agreed it")
    snap(reviewer, "06-changed-since-return")
    snap(reviewer, "06-changed-since-return", phone=True)
    for response in (first, second):
        reviewer.locator(f"#queried-{response.item.code}").get_by_role("button", name=re.compile("^Resolve")).click()
        expect(reviewer.get_by_text(f"The query on {response.item.code} is resolved.")).to_be_visible()
    expect(reviewer.locator("#query-count")).to_contain_text("All resolved")
    snap(reviewer, "07-resolved")
    assert set(ReviewQuery.objects.filter(assessment=a).values_list("state", flat=True)) == {"resolved"}
    assert list(ReviewEvent.objects.filter(assessment=a).values_list("kind", flat=True)) == [
        "submitted",
        "returned",
        "resubmitted",
    ]
    assert not errors, errors

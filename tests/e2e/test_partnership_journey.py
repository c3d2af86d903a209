"""The partnership journey in the browser: a concern raised, answered and closed; a section signed by both sides;
the assessment submitted, returned, fixed, signed again, resubmitted and accepted. E-mails go out at each step."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from checklists.models import Assessment, Comment, Response

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(framework, settings):
    """The demo data of `make run`: DEMO-A with every section but the last signed by both sides."""
    settings.DEBUG = True  # seed_demo runs only in the embedded (debug) set-up
    call_command("seed_demo")
    settings.DEBUG = False
    mail.outbox.clear()
    assessment = Assessment.objects.get(site__code="DEMO-A")
    User = get_user_model()
    return {
        "assessment": assessment,
        "section": assessment.framework.sections.order_by("-position").first(),
        "manager": User.objects.get(username="demo-manager"),
        "rep": User.objects.get(username="demo-rep"),
        "reviewer": User.objects.get(username="demo-reviewer"),
    }


def first_readiness_item(assessment: Assessment, section) -> Response:
    return (
        assessment.responses.filter(item__section=section, item__kind="readiness")
        .select_related("item")
        .order_by("item__position")
        .first()
    )


def subjects() -> list[str]:
    return [message.subject for message in mail.outbox]


def test_rep_and_manager_in_partnership_through_review(live_server, signed_in_context, demo, screenshot_dir):
    base, a, section = live_server.url, demo["assessment"], demo["section"]
    first = first_readiness_item(a, section)
    item_url = f"{base}/assessments/{a.pk}/items/{first.item.code}/"
    signoff_url = f"{base}/assessments/{a.pk}/sections/{section.code}/signoff/"
    review_url = f"{base}/assessments/{a.pk}/review/"
    errors: list[str] = []

    def page_for(user):
        page = signed_in_context(user).new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
        # Console errors catch CSP violations; failed loads are caught above (the browser's favicon probe aside).
        page.on(
            "console", lambda m: m.type == "error" and "Failed to load resource" not in m.text and errors.append(m.text)
        )
        return page

    rep, manager, reviewer = page_for(demo["rep"]), page_for(demo["manager"]), page_for(demo["reviewer"])
    shot = iter(range(1, 100))

    def snap(page, name: str) -> None:
        page.screenshot(path=screenshot_dir / f"partnership-{next(shot):02d}-{name}.png", full_page=True)

    # 1. The rep raises a concern on the section's first item; the managers are e-mailed.
    rep.goto(item_url)
    rep.get_by_label("Concern", exact=True).fill(
        "Staff have not had written confirmation of their pension arrangements."
    )
    rep.get_by_role("button", name="Raise concern").click()
    expect(rep.get_by_text("Concern raised.")).to_be_visible()
    expect(rep.locator(".app-comment--open")).to_contain_text("Concern: Open")
    snap(rep, "rep-raised-concern")
    assert subjects()[-1].startswith("Concern raised on")

    # The section cannot be signed while the concern is open.
    manager.goto(signoff_url)
    expect(manager.get_by_text("must be answered and closed before you can sign it off")).to_be_visible()

    # 2. The manager answers it.
    manager.goto(item_url)
    manager.get_by_label("Resolution note").fill("Letters confirming NHS Pension Scheme access went out on 3 May.")
    manager.get_by_role("button", name="Answer concern").click()
    expect(manager.get_by_text("Concern answered.")).to_be_visible()
    snap(manager, "manager-answered")
    assert subjects()[-1].startswith("Your concern on")

    # 3. The rep is satisfied and closes it.
    rep.goto(item_url)
    expect(rep.locator(".app-comment__answer")).to_contain_text("3 May")
    rep.get_by_role("button", name=re.compile("^Close concern")).click()
    expect(rep.get_by_text("Concern closed.")).to_be_visible()
    expect(rep.locator(".app-comment--concern")).to_contain_text("Concern: Closed")
    assert Comment.objects.get(response=first).concern_state == "closed"

    # 4. The manager signs the section for management; the rep is asked to acknowledge.
    manager.goto(f"{base}/assessments/{a.pk}/")
    expect(manager.locator(f"#signoff-{section.code}")).to_contain_text("Not signed off")
    manager.locator(f"#signoff-{section.code}").get_by_role("link", name=re.compile("Sign off for management")).click()
    manager.get_by_label("Statement").fill("The answers are complete and were agreed at the partnership forum.")
    manager.get_by_role("button", name="Sign off for management").click()
    expect(manager.locator("#signoff-state")).to_contain_text("Awaiting staff-side acknowledgement")
    snap(manager, "manager-signed")
    assert subjects()[-1].startswith("Please acknowledge the sign-off")

    # 5. The rep acknowledges for the staff side.
    rep.goto(f"{base}/assessments/{a.pk}/")
    rep.locator(f"#signoff-{section.code}").get_by_role("link", name=re.compile("Acknowledge or decline")).click()
    rep.get_by_label("Staff-side statement").fill("The staff side has been consulted and agrees.")
    rep.get_by_role("button", name="Acknowledge for the staff side").click()
    expect(rep.locator("#signoff-state")).to_contain_text("Signed off by both sides")
    snap(rep, "rep-acknowledged")
    assert subjects()[-1].startswith("Staff side acknowledged")

    # 6. The manager submits; the reviewer is e-mailed.
    manager.goto(f"{base}/assessments/{a.pk}/submit/")
    manager.get_by_role("button", name="Submit for review").click()
    expect(manager.get_by_text("was submitted for review")).to_be_visible()
    assert subjects()[-1].startswith("Submitted for review")

    # 7. The reviewer returns it with reasons; managers and reps are e-mailed.
    reviewer.goto(review_url)
    reviewer.get_by_label("Reasons for returning").fill("EMP: attach the signed consultation log.")
    snap(reviewer, "reviewer-review-page")
    reviewer.get_by_role("button", name="Return to the site").click()
    reviewer.get_by_role("button", name="Yes, return it").click()  # the confirmation step
    expect(reviewer.get_by_text("Assessment returned to the site")).to_be_visible()
    assert subjects()[-1].startswith("Returned by the reviewer")
    a.refresh_from_db()
    assert a.state == Assessment.State.RETURNED

    # 8. The manager fixes the item; the change supersedes the section's sign-offs, so both sides sign again.
    manager.goto(item_url)
    manager.get_by_label("What is in place, and where is it recorded?").fill(
        "Agreed at the partnership forum; the signed consultation log is attached."
    )
    manager.get_by_role("button", name="Save answer").click()
    expect(manager.get_by_text(re.compile(r"saved \(version \d+\)"))).to_be_visible()
    manager.goto(signoff_url)
    expect(manager.locator("#signoff-state")).to_contain_text("superseded")
    snap(manager, "manager-sees-superseded")
    manager.get_by_label("Statement").fill("Signed again after adding the consultation log.")
    manager.get_by_role("button", name="Sign off for management").click()
    rep.goto(signoff_url)
    rep.get_by_label("Staff-side statement").fill("Agreed.")
    rep.get_by_role("button", name="Acknowledge for the staff side").click()
    expect(rep.locator("#signoff-state")).to_contain_text("Signed off by both sides")
    manager.goto(f"{base}/assessments/{a.pk}/signoffs/")
    expect(manager.locator("#register")).to_contain_text("Superseded")
    snap(manager, "register")

    # 9. The manager resubmits; the reviewer accepts, and the assessment is frozen.
    manager.goto(f"{base}/assessments/{a.pk}/submit/")
    manager.get_by_role("button", name="Submit for review").click()
    expect(manager.get_by_text("was submitted for review")).to_be_visible()
    reviewer.goto(review_url)
    reviewer.get_by_role("button", name="Accept assessment").click()
    expect(reviewer.get_by_text("Accepting is final.")).to_be_visible()
    reviewer.get_by_role("button", name="Yes, accept it").click()
    expect(reviewer.get_by_text("Assessment accepted.")).to_be_visible()
    expect(reviewer.locator("#assessment-state")).to_contain_text("Accepted")
    snap(reviewer, "reviewer-accepted")
    assert subjects()[-1].startswith("Accepted")
    a.refresh_from_db()
    assert a.state == Assessment.State.ACCEPTED

    rep.goto(f"{base}/sites/{a.site.code}/activity/")
    expect(rep.locator("#activity")).to_contain_text("Accepted")
    snap(rep, "rep-activity")
    assert errors == []


def blocking(violations: list[dict]) -> list[str]:
    """Serious and critical findings, less GOV.UK's deliberate aria-expanded on revealing radios (#979)."""
    return [
        f"{v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in {"serious", "critical"}
        and not (v["id"] == "aria-allowed-attr" and all("govuk-radios__input" in n["html"] for n in v["nodes"]))
    ]


def test_partnership_pages_pass_axe(live_server, signed_in_context, demo, screenshot_dir):
    """axe-core on each partnership page as the person who uses it; serious or critical findings fail."""
    from axe_playwright_python.sync_playwright import Axe

    from checklists.services.comments import comment_create
    from phb_readiness.sites.models import SiteRole

    a, section = demo["assessment"], demo["section"]
    first = first_readiness_item(a, section)
    comment_create(
        response=first, user=demo["rep"], role=SiteRole.UNION_REP, body="See https://example.org", is_concern=True
    )
    pages = {
        "rep": [
            f"/assessments/{a.pk}/items/{first.item.code}/",
            f"/sites/{a.site.code}/concerns/",
            f"/sites/{a.site.code}/activity/",
            f"/assessments/{a.pk}/sections/DEL/signoff/",
        ],
        "manager": [
            f"/assessments/{a.pk}/items/{first.item.code}/",
            f"/assessments/{a.pk}/sections/{section.code}/signoff/",
            f"/assessments/{a.pk}/signoffs/",
            f"/assessments/{a.pk}/review/",
            "/account/notifications/",
        ],
    }
    found = []
    for who, paths in pages.items():
        page = signed_in_context(demo[who]).new_page()
        for path in paths:
            page.goto(live_server.url + path)
            found += [f"{who} {path}: {v}" for v in blocking(Axe().run(page).response["violations"])]
        # A form error page, reached without JavaScript's help.
        if who == "rep":
            page.goto(f"{live_server.url}/assessments/{a.pk}/items/{first.item.code}/")
            page.get_by_role("button", name="Raise concern").click()
            page.get_by_text("There is a problem").wait_for()
            page.screenshot(path=screenshot_dir / "partnership-axe-concern-error.png", full_page=True)
            found += [f"concern error page: {v}" for v in blocking(Axe().run(page).response["violations"])]
    assert found == []

"""Page one of the site report: the verdict in words (the app's own submit rule), what would change it, the review
history; every open point in one table, most blocking first; the mark on every page of a report not accepted."""

from __future__ import annotations

import datetime
import io
import re

import pypdf
import pytest
from django.utils import timezone

from checklists.models import Assessment, Evidence, Item, Response
from checklists.selectors.review import submit_blockers
from checklists.services.assessments import assessment_submit
from checklists.services.comments import comment_create
from checklists.services.evidence import evidence_remove
from checklists.services.review import assessment_accept, assessment_return
from phb_readiness.reports.models import Report
from phb_readiness.reports.selectors import site_report_data
from phb_readiness.reports.services import report_render
from phb_readiness.reports.verdict import CONCERN, EVIDENCE, MANDATORY, OTHER, OVERDUE, SIGNOFF
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import answer, answer_all, ready_to_submit, response_for, sign_all

pytestmark = pytest.mark.django_db


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def rendered(world, assessment, *, include_guidance: bool = False) -> tuple[list[str], pypdf.PdfReader]:
    report = Report.objects.create(
        kind=Report.Kind.SITE,
        site=assessment.site,
        assessment=assessment,
        requested_by=world.reviewer,
        include_guidance=include_guidance,
    )
    report = report_render(report_id=report.pk)
    assert report.state == Report.State.SUCCEEDED, report.error
    pdf = pypdf.PdfReader(io.BytesIO(report.file.open("rb").read()))
    return [flat(page.extract_text()) for page in pdf.pages], pdf


def bookmarks(outline) -> list[str]:
    titles = []
    for entry in outline:
        titles += bookmarks(entry) if isinstance(entry, list) else [entry.title]
    return titles


def submitted(world) -> Assessment:
    a = world.assessment_a
    ready_to_submit(a, manager=world.manager_a, rep=world.rep_a)
    return assessment_submit(assessment=a, user=world.manager_a)


# --- The verdict and the actions, as data -----------------------------------------------------------------------


def test_a_fresh_assessment_is_not_ready_for_the_reasons_the_app_blocks_submission(world):
    data = site_report_data(world.assessment_a)
    blockers = submit_blockers(assessment=world.assessment_a)
    mandatory = sum(b.kind == "item" for b in blockers)
    assert mandatory and not data.verdict.ready
    assert data.verdict.sentence == (
        f"Not ready to accept: 7 sections are not signed by both sides and {mandatory} mandatory items have no answer."
    )
    assert data.verdict.mark == "DRAFT: not accepted by the SPF"
    blocking = [c for c in data.verdict.changes if c.blocks]
    assert [c.anchor for c in blocking[:7]] == [f"section-{s.code}" for s in data.readiness.section_figures]
    assert len(blocking[7].refs) == mandatory


def test_one_unsigned_section_and_a_concern_are_named(world):
    a = world.assessment_a
    last = a.readiness.section_figures[-1]
    answer_all(a, world.manager_a)
    sign_all(a, manager=world.manager_a, rep=world.rep_a, skip={last.code})
    item = Item.objects.filter(section_id=last.section_id).order_by("position").first()
    comment_create(
        response=response_for(a, item.code), user=world.rep_a, role=SiteRole.UNION_REP, body="Pay?", is_concern=True
    )
    data = site_report_data(a)
    assert data.verdict.sentence == (
        f"Not ready to accept: section {last.code} {last.title} is not signed by both sides and 1 concern is open."
    )
    concern = next(c for c in data.verdict.changes if c.text == "1 open concern")
    assert concern.refs == ((item.code, f"item-{item.code}"),)


def test_a_submitted_assessment_with_nothing_blocking_is_ready_to_accept(world):
    data = site_report_data(submitted(world))
    assert data.verdict.ready
    assert data.verdict.sentence.startswith("Ready to accept: every section is signed by both sides")
    assert data.verdict.mark == "DRAFT: submitted, not yet accepted by the SPF"


def test_an_item_in_place_without_its_evidence_is_named_as_blocking(world):
    a = world.assessment_a
    ready_to_submit(a, manager=world.manager_a, rep=world.rep_a)
    response = a.responses.filter(item__evidence_expected=True, status=Response.Status.IN_PLACE).first()
    for evidence in Evidence.objects.filter(response=response):
        evidence_remove(evidence=evidence, user=world.manager_a)
    data = site_report_data(a)
    assert not data.verdict.ready
    assert "1 item in place has no current evidence" in data.verdict.sentence
    change = next(c for c in data.verdict.changes if c.text == "1 item in place has evidence missing or expired")
    assert change.blocks and change.refs == ((response.item.code, f"item-{response.item.code}"),)


def test_a_draft_with_nothing_blocking_is_not_ready_until_submitted(world):
    ready_to_submit(world.assessment_a, manager=world.manager_a, rep=world.rep_a)
    data = site_report_data(world.assessment_a)
    assert not data.verdict.ready
    assert "has not submitted it for review" in data.verdict.sentence


def test_review_history_names_the_return_and_its_reasons_then_the_new_submission(world):
    a = submitted(world)
    a = assessment_return(assessment=a, user=world.reviewer, role=SiteRole.REVIEWER, reasons="Attach the minutes.")
    returned = site_report_data(a)
    assert returned.verdict.mark == "RETURNED: not accepted by the SPF"
    assert [s.text for s in returned.history][-1].endswith("with reasons: Attach the minutes.")
    a = assessment_submit(assessment=a, user=world.manager_a)
    history = [s.text for s in site_report_data(a).history]
    assert history[1] == "Submitted for review" and history[3] == "Submitted again for review"
    assert history[2].startswith("Returned by") and history[2].endswith("with reasons: Attach the minutes.")
    a = assessment_accept(assessment=a, user=world.reviewer, role=SiteRole.REVIEWER, note="Well evidenced.")
    accepted = site_report_data(a)
    assert accepted.verdict.mark == "" and accepted.verdict.ready
    assert accepted.verdict.sentence.startswith("Accepted by the SPF on ")
    assert accepted.history[-1].text.endswith(": Well evidenced.")


def test_outstanding_actions_most_blocking_first_and_nothing_for_items_not_applicable(world):
    a = world.assessment_a
    responses = {r.item.code: r for r in a.responses.select_related("item")}
    mandatory = next(r for r in responses.values() if r.item.mandatory)
    optional = [r for r in responses.values() if not r.item.mandatory and not r.item.evidence_expected]
    expecting = [r for r in responses.values() if r.item.evidence_expected and r.pk != mandatory.pk]
    for r in responses.values():  # everything in place but without evidence, then the few open points below
        answer(r, world.manager_a, with_evidence=False)
    answer(Response.objects.get(pk=mandatory.pk), world.manager_a, Response.Status.NOT_IN_PLACE)
    concern_on = optional[0]
    comment_create(response=concern_on, user=world.rep_a, role=SiteRole.UNION_REP, body="Why?", is_concern=True)
    not_applicable = expecting[0]
    answer(Response.objects.get(pk=not_applicable.pk), world.manager_a, Response.Status.NOT_APPLICABLE)
    late = Response.objects.get(pk=optional[1].pk)
    late.status, late.due_date = Response.Status.IN_PROGRESS, timezone.localdate() - datetime.timedelta(days=3)
    late.save()
    other = Response.objects.get(pk=optional[2].pk)
    other.status = Response.Status.NOT_STARTED
    other.save()

    actions = site_report_data(a).actions
    ranks = [act.rank for act in actions]
    assert ranks == sorted(ranks)
    by_ref = {act.ref: act for act in actions}
    assert by_ref[mandatory.item.code].rank == MANDATORY
    assert by_ref[mandatory.item.code].missing[0] == "Mandatory, recorded as not in place (not in place)"
    assert by_ref[concern_on.item.code].rank == CONCERN
    assert {act.rank for act in actions if act.ref in {s.code for s in a.readiness.section_figures}} == {SIGNOFF}
    assert by_ref[expecting[1].item.code].missing == ["Evidence expected, none attached"]
    assert by_ref[expecting[1].item.code].rank == EVIDENCE
    assert by_ref[late.item.code].rank == OVERDUE and by_ref[late.item.code].overdue
    assert by_ref[other.item.code].rank == OTHER
    assert not_applicable.item.code not in by_ref
    assert len([act for act in actions if act.rank == EVIDENCE]) == len(expecting) - 1  # the N/A one is not missing


# --- The PDF ------------------------------------------------------------------------------------------------------


def test_a_ready_report_says_so_on_page_one_and_is_marked_until_accepted(world):
    pages, pdf = rendered(world, submitted(world))
    assert "Ready to accept: every section is signed by both sides, every mandatory item is answered" in pages[0]
    assert all("DRAFT: submitted, not yet accepted by the SPF" in page for page in pages), "a page without the mark"
    assert pdf.metadata.title.startswith("[DRAFT: submitted, not yet accepted by the SPF] Readiness report:")
    assert "DRAFT" in pdf.metadata["/Keywords"]


def test_a_returned_report_is_marked_returned_on_every_page_with_its_reasons_on_page_one(world):
    a = submitted(world)
    assessment_return(assessment=a, user=world.reviewer, role=SiteRole.REVIEWER, reasons="Attach the forum minutes.")
    pages, pdf = rendered(world, a)
    assert all("RETURNED: not accepted by the SPF" in page for page in pages)
    assert "Not ready to accept: the site has not submitted it for review" in pages[0]
    assert "with reasons: Attach the forum minutes." in pages[0]
    assert "RETURNED" in pdf.metadata.title and "DRAFT" not in " ".join(pages)


def test_an_accepted_report_has_no_mark_and_the_guidance_appendix_when_asked(world, settings):
    settings.PHB_ISSUER_NAME = "Social Partnership Forum, North West"
    a = submitted(world)
    a = assessment_accept(assessment=a, user=world.reviewer, role=SiteRole.REVIEWER)
    pages, pdf = rendered(world, a, include_guidance=True)
    text = " ".join(pages)
    assert "Accepted by the SPF on " in pages[0]
    assert "DRAFT" not in text and "RETURNED" not in text and "not accepted" not in text
    assert "DRAFT" not in pdf.metadata.title and "accepted by the SPF" in pdf.metadata["/Keywords"]
    assert pdf.metadata.author == "Social Partnership Forum, North West"
    assert "Appendix: the guidance" in text
    items = Item.objects.filter(section__framework=a.framework)
    assert all(flat(item.guidance)[:60] in text for item in items)
    titles = bookmarks(pdf.outline)
    sections = a.readiness.section_count
    assert len(titles) == 5 + sections + items.count()  # verdict, summary, actions, register, appendix
    assert titles[-1] == "Appendix: the guidance"

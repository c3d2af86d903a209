"""The site report PDF, read back with pypdf: every question and answer, page numbers, metadata, tags, the outstanding
actions, the bookmarks."""

import hashlib
import io
import re

import pypdf
import pytest

from checklists.models import Comment, Evidence, Item, Response, SignOff
from checklists.services.readiness import readiness_rebuild
from phb_readiness.reports.models import Report
from phb_readiness.reports.selectors import site_report_data
from phb_readiness.reports.services import report_render
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import stored_sections

pytestmark = pytest.mark.django_db


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def fill(assessment, *, manager, rep, comments: int = 1) -> None:
    """Answers, evidence, comments, a concern and a sign-off, as a site in the middle of its work has."""
    responses = list(assessment.responses.select_related("item").order_by("item__section__position", "item__position"))
    for n, response in enumerate(responses):
        response.status = Response.Status.IN_PLACE if n % 3 else Response.Status.IN_PROGRESS
        response.narrative = f"Narrative for {response.item.code}: agreed at the partnership forum."
        response.owner = manager
        response.save()
    first = responses[0]
    body = b"minutes"
    Evidence.objects.create(
        response=first,
        kind=Evidence.Kind.FILE,
        title="Forum minutes",
        file="evidence/x/minutes",
        original_filename="minutes.txt",
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
        uploaded_by=manager,
    )
    for i in range(comments):
        Comment.objects.create(
            response=first, author=manager, author_role=SiteRole.MANAGER, body=f"Manager comment number {i}."
        )
    Comment.objects.create(
        response=responses[1],
        author=rep,
        author_role=SiteRole.UNION_REP,
        body="Pension access for transferring staff is not confirmed.",
        is_concern=True,
        concern_state=Comment.ConcernState.OPEN,
    )
    section = stored_sections(assessment)[2]
    SignOff.objects.create(
        assessment=assessment,
        section_id=section.section_id,
        kind=SignOff.Kind.MANAGEMENT,
        signed_by=manager,
        signer_role=SiteRole.MANAGER,
        statement="Signed for management.",
        content_sha256=section.content_sha256,
    )
    readiness_rebuild()


def bookmarks(outline) -> list[str]:
    titles = []
    for entry in outline:
        titles += bookmarks(entry) if isinstance(entry, list) else [entry.title]
    return titles


def test_site_report_prints_every_question_and_answer(world):
    fill(world.assessment_a, manager=world.manager_a, rep=world.rep_a)
    # An item that expects evidence, not applicable here: nothing is missing, and nothing is printed as missing.
    not_applicable = Response.objects.filter(assessment=world.assessment_a, item__evidence_expected=True).last()
    Response.objects.filter(pk=not_applicable.pk).update(
        status=Response.Status.NOT_APPLICABLE, not_applicable_reason="No brokers here."
    )
    readiness_rebuild()
    report = Report.objects.create(
        kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a, requested_by=world.reviewer
    )
    report = report_render(report_id=report.pk)
    assert report.state == Report.State.SUCCEEDED, report.error

    content = report.file.open("rb").read()
    assert hashlib.sha256(content).hexdigest() == report.sha256
    pdf = pypdf.PdfReader(io.BytesIO(content))
    assert len(pdf.pages) == report.pages
    pages = [flat(page.extract_text()) for page in pdf.pages]
    text = " ".join(pages)

    items = Item.objects.filter(section__framework=world.assessment_a.framework).order_by(
        "section__position", "position"
    )
    unbroken = text.replace("- ", "-")  # a line may break after a hyphen ("self- employed")
    for item in items:
        assert flat(item.question).replace("- ", "-") in unbroken, item.code
        assert f"Narrative for {item.code}: agreed" in text, item.code
        assert flat(item.guidance)[:60] not in text, f"guidance of {item.code} without the appendix asked for"
    assert "Appendix" not in text
    assert "In progress" in text and "In place" in text
    assert "Forum minutes" in text and hashlib.sha256(b"minutes").hexdigest() in text
    assert "Manager comment number 0." in text
    assert "Pension access for transferring staff is not confirmed." in text
    assert "Union rep (staff side)" in text  # the concern's author role
    assert "Management sign-off" in text and "Signed for management." in text
    assert "Outstanding actions" in text and "Sign-off register" in text
    assert "Fingerprint of the data at" in pages[0] and report.data_sha256 in pages[0].replace(" ", "")
    assert f"Number {report.pk}" in pages[0] and "http://127.0.0.1:8000/reports/verify/" in pages[0]
    assert f"Page 1 of {report.pages}" in pages[0]
    assert all("DRAFT: not accepted by the SPF" in page for page in pages), "a page of a draft without the mark"
    assert pages[0].count("Not ready to accept: 7 sections are not signed by both sides") == 1

    # The outstanding actions: every open point, most blocking first, evidence missing included, N/A left out.
    titles = bookmarks(pdf.outline)
    actions_at = pdf.get_destination_page_number(next(o for o in pdf.outline if o.title == "Outstanding actions"))
    first_section = next(o for o in pdf.outline if not isinstance(o, list) and o.title[:3] == items[0].code[:3])
    actions = " ".join(pages[actions_at : pdf.get_destination_page_number(first_section)])
    data = site_report_data(world.assessment_a)
    assert data.actions[0].missing[0].startswith("Mandatory, no answer yet")
    positions = [actions.index(f"{act.ref} ") for act in data.actions]
    assert positions == sorted(positions), "actions out of order"
    lacking = [a.ref for a in data.actions if "Evidence expected, none attached" in a.missing]
    assert lacking and actions.count("Evidence expected, none attached") == len(lacking)
    assert "Pension access for transferring staff is not confirmed." in actions
    assert not_applicable.item.code not in actions
    # Under the item itself: no line about missing evidence.
    start = text.index(f"{not_applicable.item.code} {flat(not_applicable.item.question)}")
    following = items.filter(position__gt=not_applicable.item.position, section=not_applicable.item.section).first()
    end = text.index(f"{following.code} ", start) if following else start + 1200  # its passage and reasons first
    assert "Expected; none attached" not in text[start:end] and "No brokers here." in text[start:end]
    assert text.count("Expected; none attached") == len(lacking)

    # Bookmarks: the chapters, the sections and the items, nothing else.
    sections = world.assessment_a.readiness.section_count
    assert len(titles) == 4 + sections + items.count()
    assert "Evidence" not in titles and "Comments and concerns" not in titles
    assert f"Page {report.pages} of {report.pages}" in pages[-1]
    assert "Red: a mandatory item" in text  # the RAG rule is printed

    assert re.search(rf"Outstanding actions \.+ {actions_at + 1}\b", pages[1]), pages[1]  # the contents' page number
    assert actions_at == 2, "the summary and contents no longer fit on page two"

    meta = pdf.metadata
    assert meta.title == (
        "[DRAFT: not accepted by the SPF] Readiness report: Site A Primary Care Trust, Readiness review, 2009/10 Q4"
    )
    assert meta.author == "PHB Readiness (SPF review)"
    assert "SITE-A" in meta.subject
    root = pdf.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a pypdf BooleanObject
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"


def test_site_report_data_takes_the_same_queries_at_any_size(world, django_assert_num_queries):
    fill(world.assessment_a, manager=world.manager_a, rep=world.rep_a, comments=1)
    fill(world.assessment_b, manager=world.manager_b, rep=world.rep_a, comments=40)
    # Six, one more for the submit blockers' items (both have a mandatory item unanswered and an open concern), and
    # two for the review history: its records with their people, and the item queries with their items.
    with django_assert_num_queries(9):
        small = site_report_data(world.assessment_a)
    with django_assert_num_queries(9):
        large = site_report_data(world.assessment_b)
    assert len(large.sections[0].items[0].comments) == 40
    assert small.sha256 != large.sha256

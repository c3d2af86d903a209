"""The site report PDF, read back with pypdf: every question and answer, page numbers, metadata, tags."""

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


def test_site_report_prints_every_question_and_answer(world):
    fill(world.assessment_a, manager=world.manager_a, rep=world.rep_a)
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

    for item in Item.objects.filter(section__framework=world.assessment_a.framework):
        assert flat(item.question) in text, item.code
        assert f"Narrative for {item.code}: agreed" in text, item.code
        assert flat(item.guidance)[:60] in text, f"guidance of {item.code}"
    assert "In progress" in text and "In place" in text
    assert "Forum minutes" in text and hashlib.sha256(b"minutes").hexdigest() in text
    assert "Manager comment number 0." in text
    assert "Pension access for transferring staff is not confirmed." in text
    assert "Union rep (staff side)" in text  # the concern's author role
    assert "Management sign-off" in text and "Signed for management." in text
    assert "Outstanding actions" in text and "Sign-off register" in text
    assert report.data_sha256 in text  # the cover shows the SHA-256 of the data
    assert f"Page 1 of {report.pages}" in pages[0]
    assert f"Page {report.pages} of {report.pages}" in pages[-1]
    assert "Red: a mandatory item" in text  # the RAG rule is printed

    contents = next(p for p in pages if p.startswith("Contents") or " Contents " in p[:40])
    assert re.search(r"Summary \.+ 3\b", contents), contents

    meta = pdf.metadata
    assert meta.title == "Readiness report: Site A Primary Care Trust, Readiness review, 2009/10 Q4"
    assert meta.author == "PHB Readiness"
    assert "SITE-A" in meta.subject
    root = pdf.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a pypdf BooleanObject
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"


def test_site_report_data_takes_the_same_queries_at_any_size(world, django_assert_num_queries):
    fill(world.assessment_a, manager=world.manager_a, rep=world.rep_a, comments=1)
    fill(world.assessment_b, manager=world.manager_b, rep=world.rep_a, comments=40)
    with django_assert_num_queries(6):
        small = site_report_data(world.assessment_a)
    with django_assert_num_queries(6):
        large = site_report_data(world.assessment_b)
    assert len(large.sections[0].items[0].comments) == 40
    assert small.sha256 != large.sha256

"""The item page and the site report say where each item comes from (a tag), quote the passage and give the
reasons it is mandatory or optional and expects evidence or not."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from django.urls import reverse

from checklists.models import Item
from phb_readiness.reports.models import Report
from phb_readiness.reports.services import report_render

pytestmark = pytest.mark.django_db


def item_page(client, world, code: str) -> str:
    client.force_login(world.rep_a)
    return client.get(reverse("checklists:item", args=[world.assessment_a.pk, code])).content.decode()


def test_a_guidance_question_is_tagged_and_says_why_it_is_mandatory_and_expects_evidence(client, world):
    html = item_page(client, world, "EMP-03")
    item = Item.objects.get(code="EMP-03")
    assert re.search(
        r'<strong class="govuk-tag [^"]*govuk-tag--green" id="item-provenance">Question of the guidance<', html
    )
    assert '<span class="govuk-details__summary-text">Where this comes from</span>' in html
    assert "A question of the guidance's checklist, word for word" in html
    assert f"“{item.question}”" in html
    assert "Why it is mandatory</h3>" in html and item.mandatory_reason.replace("'", "&#x27;") in html
    assert "Why evidence is expected</h3>" in html and item.evidence_reason in html


def test_an_optional_item_without_evidence_says_so(client, world):
    html = item_page(client, world, "DEL-04")
    assert "Why it is optional</h3>" in html and "Why no evidence is expected</h3>" in html
    assert "Why it is mandatory" not in html and "Why evidence is expected" not in html


def test_a_condition_of_the_motion_quotes_the_motion(client, world):
    html = item_page(client, world, "SSC-03")
    assert 'id="item-provenance">UNISON 2009 motion</strong>' in html
    assert "A condition of UNISON Health Care Service Group Conference motion" in html
    assert "“firm assurances from Government that any personal budgets within these pilots are restricted" in html
    assert '<span class="govuk-caption-l">Conditions of the UNISON 2009 conference motion · item' in html


def test_the_site_report_prints_the_tag_the_passage_and_the_reasons(world):
    report = Report.objects.create(
        kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a, requested_by=world.reviewer
    )
    report = report_render(report_id=report.pk)
    assert report.state == Report.State.SUCCEEDED, report.error
    pdf = pypdf.PdfReader(io.BytesIO(report.file.open("rb").read()))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pdf.pages)).replace("- ", "-")
    assert "SSC Conditions of the UNISON 2009 conference motion" in text
    assert "Staff-side conditions" not in text
    assert text.count("Comes from") == 61
    assert text.count("Question of the guidance") == 15 and text.count("UNISON 2009 motion") == 12
    emp_07 = Item.objects.get(code="EMP-07")
    assert f"Requirement of the guidance “{emp_07.source_passage}”" in text
    assert emp_07.mandatory_reason in text and emp_07.evidence_reason in text

"""Evidence in the reports and exports: the site report (PDF) and the checklist spreadsheet show expired evidence as
"Expired on <date>" and say "Evidence missing" where an item that expects evidence has none current; the overview's
CSV counts the evidence missing per site."""

from __future__ import annotations

import csv
import datetime
import io
import re

import openpyxl
import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from phb_readiness.reports.models import Report
from phb_readiness.reports.services import report_render
from tests.partnership_support import answer, give_evidence, response_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def expired(world):
    """EMP-01 in place on an insurance certificate that expired five days ago."""
    day = timezone.localdate() - datetime.timedelta(days=5)
    response = response_for(world.assessment_a, "EMP-01")
    give_evidence(response, world.manager_a, dated=day - datetime.timedelta(days=364), valid_until=day)
    answer(response_for(world.assessment_a, "EMP-01"), world.manager_a, with_evidence=False)
    return day


def test_the_site_report_prints_the_expiry_and_the_evidence_missing(world, expired):
    report = Report.objects.create(
        kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a, requested_by=world.reviewer
    )
    report = report_render(report_id=report.pk)
    assert report.state == Report.State.SUCCEEDED, report.error
    pages = [re.sub(r"\s+", " ", p.extract_text()) for p in pypdf.PdfReader(report.file.open("rb")).pages]
    text = " ".join(pages)
    item = text[text.rindex("EMP-01 Have pilots considered") :][:3000]  # the item itself, after the actions
    assert f"Expired on {expired.day} {expired:%B %Y}" in item
    assert "Evidence missing: what is attached has expired." in item


def test_the_checklist_spreadsheet_marks_the_expired_evidence(client, world, expired):
    client.force_login(world.manager_a)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("reports:site_checklist_xlsx", args=["SITE-A"])).content)
    )
    header, *rows = list(book["Checklist"].values)
    row = next(r for r in rows if r[1] == "EMP-01")
    cell = row[header.index("Evidence (title, SHA-256 or link)")]
    assert f"Expired on {expired.day} {expired:%B %Y}" in cell and cell.endswith("Evidence missing")
    summary_header, *summary = list(book["Summary"].values)
    emp = next(r for r in summary if r[0].startswith("EMP "))
    assert emp[summary_header.index("Evidence missing")] >= 1


def test_the_overview_csv_counts_the_evidence_missing(client, world, expired):
    client.force_login(world.reviewer)
    reply = client.get(reverse("reports:overview"), {"format": "csv", "sort": "site"})
    header, *rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig"))))
    column = header.index("Evidence missing")
    site_a = next(r for r in rows if r[0] == "SITE-A")
    assert int(site_a[column]) == world.assessment_a.readiness.evidence_missing >= 1

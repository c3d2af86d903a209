"""Verify a report, asked with nothing to check: a GOV.UK error summary linking to the box, "Error: " in the title."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _summary_links(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'class="govuk-error-summary".*?</ul>', html, re.S)
    assert summary, "an error summary"
    return [(href, text.strip()) for href, text in re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary.group(0), re.S)]


def test_no_file_chosen_gives_an_error_summary_and_an_error_title(client):
    html = client.post(reverse("reports:verify"), {"verify": "Check the report"}).content.decode()
    assert re.search(r"<title>\s*Error: Verify a report", html)
    assert _summary_links(html) == [("id_file", "Choose the PDF you want to check")]
    assert html.index("govuk-error-summary") < html.index("<h1")
    assert 'id="id_file"' in html


def test_a_bad_report_number_gives_an_error_summary_too(client):
    html = client.post(reverse("reports:verify"), {"number": "twelve"}).content.decode()
    assert re.search(r"<title>\s*Error: Verify a report", html)
    assert _summary_links(html) == [("id_number", "Enter the report number as digits only, for example 1042")]


def test_the_blank_page_has_no_error(client):
    html = client.get(reverse("reports:verify")).content.decode()
    assert "Error:" not in html and "govuk-error-summary" not in html

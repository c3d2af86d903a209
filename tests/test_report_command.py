"""Operators render reports synchronously: `render_report --site CODE` and `--national`, with time and pages."""

import io

import pypdf
import pytest
from django.core.management import CommandError, call_command

from phb_readiness.reports.models import Report

pytestmark = pytest.mark.django_db


def test_render_a_site_report_to_a_file(world, tmp_path):
    out = io.StringIO()
    call_command("render_report", "--site", "SITE-A", "--output", str(tmp_path / "a.pdf"), stdout=out)
    report = Report.objects.get(kind=Report.Kind.SITE)
    assert report.state == Report.State.SUCCEEDED and report.assessment == world.assessment_a
    assert f"{report.pages} pages in " in out.getvalue() and report.sha256 in out.getvalue()
    assert len(pypdf.PdfReader(tmp_path / "a.pdf").pages) == report.pages


def test_render_the_national_report_to_a_file(world, tmp_path):
    out = io.StringIO()
    call_command("render_report", "--national", "--output", str(tmp_path / "n.pdf"), stdout=out)
    report = Report.objects.get(kind=Report.Kind.NATIONAL)
    assert report.region is None and report.state == Report.State.SUCCEEDED
    assert "Site B Primary Care Trust" in " ".join(p.extract_text() for p in pypdf.PdfReader(tmp_path / "n.pdf").pages)


def test_an_unknown_site_is_a_clear_error(world, tmp_path):
    with pytest.raises(CommandError, match="No site with code 'NOPE'"):
        call_command("render_report", "--site", "NOPE", "--output", str(tmp_path / "x.pdf"))

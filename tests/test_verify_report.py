"""Anyone can check that a PDF is one this service issued, unchanged, by its SHA-256."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from phb_readiness.reports.models import Report
from phb_readiness.reports.services import report_render

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(world) -> tuple[Report, bytes]:
    report = Report.objects.create(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    report = report_render(report_id=report.pk)
    with report.file.open("rb") as handle:
        return report, handle.read()


def upload(client, content: bytes, name: str = "report.pdf"):
    return client.post(
        reverse("reports:verify"), {"file": SimpleUploadedFile(name, content, content_type="application/pdf")}
    )


def test_an_issued_report_is_recognised_with_its_site_and_time(client, world, issued):
    report, content = issued
    client.force_login(world.contributor_a)  # any signed-in person, even one who may not download it
    page = upload(client, content).content.decode()
    assert "Issued by this service, unchanged" in page
    assert f"Site report {report.pk}" in page and "SITE-A" in page
    assert report.sha256 in page


def test_a_changed_report_is_not_recognised(client, world, issued):
    _report, content = issued
    client.force_login(world.outsider)
    page = upload(client, content.replace(b"Site A", b"Site Z", 1) + b"\n").content.decode()
    assert "Not issued by this service, or changed since it was issued" in page
    assert "SITE-A" not in page


def test_a_file_that_is_not_a_pdf_gets_a_form_error(client, world):
    client.force_login(world.manager_a)
    response = upload(client, b"<html>not a pdf</html>", name="report.pdf")
    assert response.status_code == 200
    assert "The file is not a PDF" in response.content.decode()
    response = client.post(reverse("reports:verify"), {})
    assert "Choose the PDF you want to check" in response.content.decode()


def test_an_oversize_file_is_dropped_while_it_is_read(client, world, monkeypatch):
    from phb_readiness.reports import forms, views

    monkeypatch.setattr(views, "VERIFY_MAX_BYTES", 1024)
    monkeypatch.setattr(forms, "VERIFY_MAX_BYTES", 1024)
    stored = []
    for handler in ("MemoryFileUploadHandler", "TemporaryFileUploadHandler"):
        monkeypatch.setattr(
            f"django.core.files.uploadhandler.{handler}.receive_data_chunk",
            lambda self, data, start: stored.append(len(data)),
        )
    client.force_login(world.manager_a)
    response = upload(client, b"%PDF-" + b"x" * 5000)
    assert response.status_code == 200
    assert "larger than any report this service issues" in response.content.decode()
    assert stored == []  # never kept, in memory or on disk


def test_verify_checks_the_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.manager_a)
    assert upload(client, b"%PDF-1.7 a small file").status_code == 403

"""Verify a report, signed out: whether, when and for which site and round a report was issued, never its content;
counted per address (and per person signed in), with a clear 429 past the limit."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from phb_readiness.reports.models import Report
from phb_readiness.reports.services import report_render

pytestmark = pytest.mark.django_db

NARRATIVE = "Our staff-side forum met on 3 March and agreed the redeployment protocol"


@pytest.fixture
def issued(world) -> tuple[Report, bytes, str]:
    """Site A's report, rendered with a narrative, and the text of the item that narrative answers."""
    response = world.assessment_a.responses.select_related("item").order_by("pk").first()
    response.narrative = NARRATIVE
    response.save(update_fields=["narrative"])
    report = Report.objects.create(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    report = report_render(report_id=report.pk)
    assert report.state == Report.State.SUCCEEDED
    with report.file.open("rb") as handle:
        return report, handle.read(), response.item.question


def pdf_text(content: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def upload(client, content: bytes, **extra):
    file = SimpleUploadedFile("report.pdf", content, content_type="application/pdf")
    return client.post(reverse("reports:verify"), {"file": file}, **extra)


def look_up(client, number, **extra):
    return client.post(reverse("reports:verify"), {"number": number}, **extra)


def test_the_page_is_open_signed_out(client):
    response = client.get(reverse("reports:verify"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Upload the PDF" in page and "Or enter the report number" in page


def test_an_issued_report_is_recognised_signed_out_without_its_content(client, issued, django_assert_num_queries):
    report, content, question = issued
    assert NARRATIVE in pdf_text(content)  # the report holds the narrative: the page must not
    with django_assert_num_queries(1):  # the report, with its site and assessment
        response = upload(client, content)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Issued by this service, unchanged" in page
    assert f"Site report {report.pk}" in page
    assert "SITE-A" in page and report.assessment.round_label in page
    assert "Assessment state now" in page and "Draft" in page
    assert report.sha256 in page
    # never the content: no narrative, no item text, not even the site's name
    assert NARRATIVE not in page
    assert question[:60] not in page
    assert "Site A Primary Care Trust" not in page


def test_another_file_is_not_issued_by_this_service(client, issued):
    _report, content, _question = issued
    page = upload(client, b"%PDF-1.7\n% a report this service never issued\n%%EOF\n").content.decode()
    assert "Not issued by this service" in page
    assert "SITE-A" not in page
    page = upload(client, content + b"\n% one line added\n").content.decode()
    assert "Not issued by this service, or changed since it was issued" in page


def test_a_report_number_says_whether_and_when_it_was_issued(client, world, issued):
    report, _content, question = issued
    page = look_up(client, str(report.pk)).content.decode()
    assert f"Report {report.pk} was issued by this service" in page
    assert "SITE-A" in page and report.assessment.round_label in page
    assert "To check that a copy is unchanged, upload the file" in page
    assert NARRATIVE not in page and question[:60] not in page

    queued = Report.objects.create(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    for number in (str(queued.pk), "999999"):
        page = look_up(client, number).content.decode()
        assert f"Report {number} was not issued by this service" in page
        assert "SITE-A" not in page


def test_a_bad_report_number_gets_a_form_error(client):
    for number, message in (("abc", "Enter the report number as digits only"), ("", "Enter the report number")):
        response = look_up(client, number)
        assert response.status_code == 200
        assert message in response.content.decode()


def test_checks_are_limited_per_address_with_a_clear_429(client, settings, world):
    settings.PHB_VERIFY_LIMIT = 3
    for _ in range(3):
        assert look_up(client, "999999").status_code == 200
    response = look_up(client, "999999")
    assert response.status_code == 429
    assert "Too many checks" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= settings.PHB_VERIFY_WINDOW_SECONDS
    assert upload(client, b"%PDF-1.7 small").status_code == 429  # uploads are counted with numbers
    assert client.get(reverse("reports:verify")).status_code == 200  # the page itself stays open
    # another address, and a person signed in at the same address, are counted apart
    assert look_up(Client(REMOTE_ADDR="192.0.2.7"), "999999").status_code == 200
    signed_in = Client()
    signed_in.force_login(world.manager_a)
    assert look_up(signed_in, "999999").status_code == 200


def test_the_signed_out_page_checks_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert look_up(client, "1").status_code == 403

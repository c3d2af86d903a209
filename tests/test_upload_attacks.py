"""Evidence uploads under attack: random bytes, markup disguised as documents, double extensions, path traversal,
oversize and empty files, and what the download tells the browser."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from checklists.models import Evidence
from checklists.rules.evidence import EXTENSIONS, DetectedType, validate_upload

ALLOWED_TYPES = set(EXTENSIONS)
LIMIT = 64 * 1024
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>fetch('/admin/').then(r => r.text())</script></body></html>"


def check(content: bytes, name: str = "upload.bin", max_bytes: int = LIMIT) -> DetectedType:
    return validate_upload(SimpleUploadedFile(name, content), max_bytes=max_bytes)


@given(st.binary(max_size=4096))
@hypothesis_settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_bytes_never_crash_and_are_never_taken_for_a_pdf_without_its_signature(content):
    try:
        detected = check(content)
    except ValidationError:
        return
    assert detected.content_type in ALLOWED_TYPES
    if detected.content_type == "application/pdf":
        assert content.startswith(b"%PDF-")
    if detected.content_type in ("text/plain", "text/csv"):
        assert b"\x00" not in content
        content.decode("utf-8")


@given(
    st.text(max_size=500),
    st.sampled_from(["<script>", "<html>", "<svg onload=x>", "<iframe src=x>", "<?xml version='1.0'?>"]),
    st.text(max_size=500),
)
@hypothesis_settings(max_examples=200, deadline=None)
def test_text_with_markup_anywhere_is_refused(before, markup, after):
    content = (before + markup + after).encode()
    if content.startswith(b"%PDF-"):
        return
    with pytest.raises(ValidationError):
        check(content, "notes.txt")


@given(st.binary(min_size=1, max_size=2048))
@hypothesis_settings(max_examples=200, deadline=None)
def test_anything_after_a_pdf_signature_is_a_pdf_and_nothing_else(tail):
    try:
        detected = check(b"%PDF-" + tail)
    except ValidationError as refused:  # random bytes may spell a script's name (/JS) or a broken object stream
        assert refused.code in {"pdf_active", "pdf_unreadable"}
        return
    assert detected.content_type == "application/pdf"


@pytest.mark.parametrize("name", ["report.pdf", "report.pdf.html", "minutes.docx", "image.png", "notes.txt"])
def test_html_and_script_disguised_as_a_document_are_refused(name):
    with pytest.raises(ValidationError, match="checked by their content"):
        check(HTML, name)


@pytest.mark.parametrize(
    "content",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"\xef\xbb\xbf<html><body>hi</body></html>",  # with a byte-order mark in front
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",  # a Windows executable
        b"#!/bin/sh\nrm -rf /\x00",
        b"PK\x03\x04 not really a zip",
    ],
)
def test_other_dangerous_content_is_refused(content):
    with pytest.raises(ValidationError):
        check(content, "evidence.pdf")


def test_a_zip_that_is_not_an_office_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", HTML)
    with pytest.raises(ValidationError):
        check(buffer.getvalue(), "minutes.docx")


def test_empty_and_oversize_files_are_refused_and_the_limit_itself_is_allowed():
    with pytest.raises(ValidationError, match="empty"):
        check(b"", "empty.pdf")
    with pytest.raises(ValidationError, match="smaller than"):
        check(PDF + b"x" * (1024 - len(PDF) + 1), "big.pdf", max_bytes=1024)
    assert check(PDF + b"x" * (1024 - len(PDF)), "limit.pdf", max_bytes=1024).content_type == "application/pdf"


# Through the page, as a contributor would upload.


@pytest.fixture
def upload(client, world):
    client.force_login(world.contributor_a)
    response = world.assessment_a.responses.select_related("item").first()
    url = reverse("checklists:evidence_add", kwargs={"pk": world.assessment_a.pk, "code": response.item.code})

    def post(name: str, content: bytes):
        return client.post(url, {"upload-file": SimpleUploadedFile(name, content), "upload-title": ""})

    return post


@pytest.mark.django_db
def test_a_double_extension_never_becomes_an_html_download(client, upload):
    assert upload("report.pdf.html", PDF).status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.content_type == "application/pdf"
    download = client.get(reverse("checklists:evidence_download", kwargs={"pk": evidence.pk}))
    assert download["Content-Disposition"] == 'attachment; filename="report.pdf.pdf"'


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/cron.d/evil", "a\x00b.pdf"])
def test_path_traversal_names_are_stored_under_a_random_name_inside_the_store(upload, settings, name):
    assert upload(name, PDF).status_code == 302
    evidence = Evidence.objects.get()
    root = Path(settings.PRIVATE_STORAGE_ROOT).resolve()
    stored = (root / evidence.file.name).resolve()
    assert stored.is_relative_to(root / "evidence")
    assert stored.read_bytes() == PDF
    assert ".." not in evidence.file.name and "etc" not in evidence.file.name
    assert "/" not in evidence.original_filename and "\\" not in evidence.original_filename
    assert "\x00" not in evidence.original_filename


@pytest.mark.django_db
def test_a_right_to_left_override_cannot_disguise_the_download_name(client, upload):
    upload("invoice\u202efdp.exe", PDF)
    evidence = Evidence.objects.get()
    download = client.get(reverse("checklists:evidence_download", kwargs={"pk": evidence.pk}))
    assert "\u202e" not in download["Content-Disposition"]
    assert download["Content-Disposition"].endswith('.pdf"')


@pytest.mark.django_db
def test_html_disguised_as_pdf_gets_a_form_error_and_nothing_is_stored(upload, settings):
    response = upload("report.pdf", HTML)
    assert response.status_code in (200, 400)
    assert "checked by their content" in response.content.decode()
    assert not Evidence.objects.exists()
    assert not [path for path in Path(settings.PRIVATE_STORAGE_ROOT).rglob("*") if path.is_file()]


@pytest.mark.django_db
def test_oversize_and_empty_uploads_get_form_errors(upload, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    assert "smaller than" in upload("big.pdf", PDF + b"x" * 2048).content.decode()
    assert "empty" in upload("empty.pdf", b"").content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_a_pdf_carrying_script_downloads_as_an_inert_attachment(client, upload):
    """A polyglot (valid PDF signature, HTML inside) is accepted as a PDF: the download makes sure no browser
    renders it as a page."""
    upload("polyglot.pdf", b"%PDF-1.4\n" + HTML)
    evidence = Evidence.objects.get()
    download = client.get(reverse("checklists:evidence_download", kwargs={"pk": evidence.pk}))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in download["Cache-Control"]

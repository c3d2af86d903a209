"""validate_upload: files are accepted by their content, never by their name; the rest is refused clearly."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from checklists.rules.evidence import display_filename, download_filename, validate_upload

MAX = 1024 * 1024


def _zip(entries: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i, (name, data) in enumerate(entries):
            compression = zipfile.ZIP_STORED if stored_first and i == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=compression)
    return buffer.getvalue()


def _upload(content: bytes, name: str = "evidence.bin", content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
CASES = {
    "pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "application/pdf", "pdf"),
    "png": (PNG, "image/png", "png"),
    "jpeg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg", "jpg"),
    "legacy office": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "application/vnd.ms-office", "doc"),
    "docx": (
        _zip([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")]),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "xlsx": (
        _zip([("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")]),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "odt": (
        _zip([("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>")], stored_first=True),
        "application/vnd.oasis.opendocument.text",
        "odt",
    ),
    "ods": (
        _zip(
            [("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", b"<x/>")],
            stored_first=True,
        ),
        "application/vnd.oasis.opendocument.spreadsheet",
        "ods",
    ),
    "csv": (b"item,status\nEMP-01,in place\nEMP-02,not started\n", "text/csv", "csv"),
    "text": ("Minutes of the partnership forum — agreed.\n".encode(), "text/plain", "txt"),
}


@pytest.mark.parametrize("kind", CASES)
def test_accepted_kinds_are_recognised_by_content(kind):
    content, content_type, extension = CASES[kind]
    # A misleading name and browser type change nothing.
    detected = validate_upload(_upload(content, name="photo.exe", content_type="text/html"), max_bytes=MAX)
    assert (detected.content_type, detected.extension) == (content_type, extension)


@pytest.mark.parametrize(
    "content",
    [
        b"<html><body>hello</body></html>",
        b"<!DOCTYPE html><p>x</p>",
        b"plain words then <script>alert(1)</script>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows executable
        b"GIF89a\x01\x00\x01\x00",
        b"caf\xe9 latin-1 text",
        b"text with a \x00 byte",
        _zip([("readme.txt", b"just a zip")]),
        _zip([("mimetype", b"application/x-anything"), ("a", b"b")], stored_first=True),
        b"PK\x03\x04 not really a zip",
    ],
    ids=["html", "doctype", "script", "svg", "exe", "gif", "latin1", "nul", "zip", "odf-other", "broken-zip"],
)
def test_other_content_is_refused_whatever_its_name(content):
    with pytest.raises(ValidationError) as raised:
        validate_upload(_upload(content, name="minutes.pdf", content_type="application/pdf"), max_bytes=MAX)
    assert "checked by their content" in raised.value.messages[0]


def test_markup_split_across_chunks_is_found():
    content = b"a" * (64 * 1024 - 3) + b"<script>x</script>"
    with pytest.raises(ValidationError):
        validate_upload(_upload(content, name="notes.txt"), max_bytes=MAX)


def test_empty_files_are_refused():
    with pytest.raises(ValidationError) as raised:
        validate_upload(_upload(b"", name="empty.pdf"), max_bytes=MAX)
    assert raised.value.code == "empty"


def test_files_over_the_limit_are_refused_with_the_limit_in_the_message():
    with pytest.raises(ValidationError) as raised:
        validate_upload(_upload(b"%PDF-" + b"x" * 2000, name="big.pdf"), max_bytes=1000)
    assert raised.value.code == "too_big"
    assert "1000" in raised.value.messages[0] or "KB" in raised.value.messages[0]


def test_the_file_is_left_at_the_start_for_whoever_reads_it_next():
    upload = _upload(CASES["csv"][0], name="a.csv")
    validate_upload(upload, max_bytes=MAX)
    assert upload.read(4) == b"item"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\sam\\Minutes 12.01.2010.pdf", "Minutes 12.01.2010.pdf"),
        ('evil"; filename="x.html', "evil__ filename__x.html"),
        ("\x00\x1b[31mred.txt", "[31mred.txt"),
        ("", "evidence"),
        ("...", "evidence"),
    ],
)
def test_display_names_are_sanitised(name, shown):
    assert display_filename(name) == shown


def test_download_name_carries_the_real_extension():
    assert download_filename("minutes.pdf", "application/pdf") == "minutes.pdf"
    assert download_filename("minutes.html", "text/plain") == "minutes.txt"
    assert download_filename("photo.jpeg", "image/jpeg") == "photo.jpeg"
    assert download_filename("budget", "text/csv") == "budget.csv"


def test_the_upload_handler_drops_a_file_once_it_passes_the_limit():
    from django.core.files.uploadhandler import SkipFile

    from checklists.rules.evidence import UploadSizeLimit

    handler = UploadSizeLimit(max_bytes=100)
    assert handler.receive_data_chunk(b"x" * 60, 0) == b"x" * 60
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"x" * 60, 60)
    assert handler.exceeded

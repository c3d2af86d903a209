"""validate_upload: files are accepted by their content, never by their name; the rest is refused clearly."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from checklists.rules.evidence import display_filename, download_content_type, download_filename, validate_upload
from tests.evidence_support import (
    CONTENT_TYPES,
    DOCX_MACRO_TYPES,
    docx,
    docx_inflating_to_512_mb,
    office_zip,
    ole_document,
    pdf,
    pdf_with_object_stream,
)

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


# Active content inside an accepted kind: refused whatever the file is called, with what to do about it.

OPEN_ACTION_JS = pdf(b"<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert('hi')) >> >>")


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (OPEN_ACTION_JS, "JavaScript"),
        (pdf(b"<< /Type /Catalog /OpenAction << /S /J#61vaScript /J#53 (x) >> >>"), "JavaScript"),
        (pdf(b"<</Type/Catalog/AA<</O<</S/JavaScript/JS 2 0 R>>>>>>"), "JavaScript"),
        (pdf(b"<< /Type /Catalog /OpenAction << /S /Launch /F (cmd.exe) >> >>"), "starts a program"),
        (pdf(b"<< /Type /Filespec /EF << /F 2 0 R >> >>", b"<< /Type /EmbeddedFile >>"), "attached files"),
        (pdf_with_object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>"), "JavaScript"),
        (pdf_with_object_stream(b"<< /S /Launch /F (x.exe) >>"), "starts a program"),
        (pdf_with_object_stream(b"<< /S /JavaScript /JS (x) >>").replace(b"/ObjStm", b"/Obj#53tm"), "JavaScript"),
    ],
    ids=[
        "open-action",
        "hex-escaped",
        "additional-action",
        "launch",
        "embedded-file",
        "object-stream",
        "objstm-launch",
        "objstm-escaped",
    ],
)
def test_pdfs_with_scripts_launches_or_attachments_are_refused(content, what):
    with pytest.raises(ValidationError) as raised:
        validate_upload(_upload(content, name="minutes.pdf"), max_bytes=MAX)
    assert raised.value.code == "pdf_active"
    assert what in raised.value.messages[0] and "Print it to a new PDF" in raised.value.messages[0]


@pytest.mark.parametrize(
    "content",
    [
        pdf(b"<< /Type /Catalog /OpenAction [3 0 R /Fit] /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"),
        pdf(b"<< /Type /Catalog /Names << /Dests 2 0 R >> /JSX (a name that only starts like JS) >>"),
        pdf_with_object_stream(b"<< /Type /Pages /Kids [] /Count 0 >>"),
    ],
    ids=["open-at-page", "lookalike-name", "clean-object-stream"],
)
def test_ordinary_pdfs_pass(content):
    assert validate_upload(_upload(content, name="minutes.pdf"), max_bytes=MAX).extension == "pdf"


def test_a_pdf_whose_object_streams_cannot_be_read_is_refused():
    hidden_in_hex = pdf_with_object_stream(b"<< /S /JavaScript /JS (x) >>", filter_name=b"/ASCIIHexDecode")
    broken = pdf(b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\nnot zlib at all\nendstream")
    for content in (hidden_in_hex, broken):
        with pytest.raises(ValidationError) as raised:
            validate_upload(_upload(content, name="minutes.pdf"), max_bytes=MAX)
        assert raised.value.code == "pdf_unreadable"
        assert "could not be checked" in raised.value.messages[0]


def test_a_docx_that_unpacks_to_512_mb_is_refused():
    content = docx_inflating_to_512_mb()
    assert len(content) < 4 * 1024 * 1024
    with pytest.raises(ValidationError) as raised:
        validate_upload(_upload(content, name="minutes.docx"), max_bytes=20 * MAX, max_unpacked=100 * MAX)
    assert raised.value.code == "zip_bomb"
    assert "100.0\xa0MB" in raised.value.messages[0] and "save it as a new file" in raised.value.messages[0]


def test_unpacked_size_and_compression_ratio_are_both_limits():
    big_but_honest = docx(
        **{"word/media/image1.bin": random.Random(0).randbytes(2 * MAX)}
    )  # 2 MB that does not compress
    assert validate_upload(_upload(big_but_honest), max_bytes=20 * MAX, max_unpacked=3 * MAX).extension == "docx"
    with pytest.raises(ValidationError, match="unpacks to more than"):
        validate_upload(_upload(big_but_honest), max_bytes=20 * MAX, max_unpacked=MAX)
    absurd = docx(**{"word/document.xml": b"\0" * (4 * MAX)})  # 4 MB of nothing in a few kilobytes
    with pytest.raises(ValidationError) as raised:
        validate_upload(_upload(absurd), max_bytes=20 * MAX, max_unpacked=100 * MAX)
    assert raised.value.code == "zip_bomb"


@pytest.mark.parametrize(
    "content",
    [
        docx(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro project"}),
        office_zip({"[Content_Types].xml": DOCX_MACRO_TYPES, "word/document.xml": b"<w:document/>"}),
        office_zip({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<x/>", "xl/vbaProject.bin": b"x"}),
        _zip(
            [("mimetype", b"application/vnd.oasis.opendocument.text"), ("Basic/Standard/Module1.xml", b"<x/>")],
            stored_first=True,
        ),
        ole_document(macros=True),
    ],
    ids=["docx-vba-project", "docm-renamed-docx", "xlsm-renamed-xlsx", "odt-basic", "legacy-doc"],
)
def test_office_files_with_macros_are_refused_whatever_the_extension(content):
    with pytest.raises(ValidationError) as raised:
        validate_upload(_upload(content, name="minutes.docx"), max_bytes=MAX)
    assert raised.value.code == "macros"
    assert "contains macros" in raised.value.messages[0] and "without macros" in raised.value.messages[0]


def test_a_legacy_office_file_without_macros_passes():
    assert validate_upload(_upload(ole_document(macros=False)), max_bytes=MAX).extension == "doc"


def test_a_name_longer_than_can_be_kept_is_refused_with_what_to_do():
    upload = ContentFile(CASES["pdf"][0], name="a" * 251 + ".pdf")
    assert validate_upload(upload, max_bytes=MAX).extension == "pdf"  # 255 characters: the most that is kept
    upload = ContentFile(CASES["pdf"][0], name="a" * 252 + ".pdf")
    with pytest.raises(ValidationError) as raised:
        validate_upload(upload, max_bytes=MAX)
    assert raised.value.code == "name_too_long"
    assert "Rename the file" in raised.value.messages[0]


def test_the_upload_handler_notes_a_name_too_long_to_keep():
    from checklists.rules.evidence import UploadSizeLimit

    handler = UploadSizeLimit(max_bytes=100)
    handler.new_file("upload-file", "a" * 255, "application/pdf", 10)
    assert not handler.name_too_long
    handler.new_file("upload-file", "a" * 1000, "application/pdf", 10)
    assert handler.name_too_long


def test_text_is_sent_as_plain_text():
    assert download_content_type("text/csv") == "text/plain; charset=utf-8"
    assert download_content_type("text/plain") == "text/plain; charset=utf-8"
    assert download_content_type("application/pdf") == "application/pdf"
    assert download_content_type("") == "application/octet-stream"

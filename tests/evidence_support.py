"""Hostile evidence files, built in the test: PDFs with scripts, Office files with macros or that unpack to 512 MB."""

from __future__ import annotations

import io
import zipfile
import zlib
from functools import cache

CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
DOCX_MACRO_TYPES = (
    b'<Types><Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
)


def pdf(*objects: bytes) -> bytes:
    """A small PDF of these objects (numbered from 1), with a catalogue first."""
    body = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    for number, content in enumerate(objects, 1):
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    return body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def pdf_with_object_stream(hidden: bytes, *, filter_name: bytes = b"/FlateDecode") -> bytes:
    """A PDF whose second object lives in a compressed object stream (as PDF 1.5 writers store most objects)."""
    data = zlib.compress(b"2 0 " + hidden) if filter_name == b"/FlateDecode" else hidden.hex().encode() + b">"
    header = b"<< /Type /ObjStm /N 1 /First 4 /Filter %s /Length %d >>\nstream\n" % (filter_name, len(data))
    return pdf(b"<< /Type /Catalog /Pages 3 0 R >>", header + data + b"\nendstream")


def office_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(**extra: bytes) -> bytes:
    return office_zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>", **extra})


@cache
def docx_inflating_to_512_mb() -> bytes:
    """A 2 MB .docx whose document part unpacks to 512 MB: written a megabyte at a time, never held whole."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            megabyte = b"\0" * (1 << 20)
            for _ in range(512):
                member.write(megabyte)
    return buffer.getvalue()


def ole_document(*, macros: bool) -> bytes:
    """The start of a legacy Office file; with macros, its directory names the VBA project's storage."""
    directory = ("_VBA_PROJECT" if macros else "WordDocument").encode("utf-16-le")
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + directory + b"\x00" * 1024

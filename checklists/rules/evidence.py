"""Checking evidence uploads by their content, never by the name or content type the browser sent.

Only the kinds of document sites use as evidence are accepted: PDF, Word, Excel, PowerPoint, OpenDocument, PNG,
JPEG, CSV and plain text. Anything else, an empty file or a file over the size limit is refused with a message
that says what to do.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.template.defaultfilters import filesizeformat

CHUNK = 64 * 1024
ACCEPTED_KINDS = "PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, CSV or plain text"

# Markers of markup that a browser might render if the file were ever opened inline.
_MARKUP = re.compile(rb"<\s*(html|script|!doctype|\?xml|svg|iframe|body|head|meta)\b", re.IGNORECASE)
_MARKUP_TAIL = 64  # bytes kept from one chunk to the next so a marker split across chunks is still found

OOXML = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}
OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}


def too_big_error(max_bytes: int) -> ValidationError:
    return ValidationError(f"The selected file must be smaller than {filesizeformat(max_bytes)}.", code="too_big")


@dataclass(frozen=True)
class DetectedType:
    content_type: str
    extension: str


def validate_upload(uploaded_file, *, max_bytes: int) -> DetectedType:
    """The type of an uploaded file, found from its content; ValidationError if it is not one we accept."""
    size = uploaded_file.size or 0
    if size == 0:
        raise ValidationError("The selected file is empty. Choose a file that has something in it.", code="empty")
    if size > max_bytes:
        raise too_big_error(max_bytes)
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    try:
        detected = _detect(uploaded_file, head)
    finally:
        uploaded_file.seek(0)
    if detected is None:
        raise ValidationError(
            f"The selected file must be a {ACCEPTED_KINDS} file. Files are checked by their content, not their name.",
            code="type",
        )
    return detected


def _detect(handle: IO[bytes], head: bytes) -> DetectedType | None:
    if head.startswith(b"%PDF-"):
        return DetectedType("application/pdf", "pdf")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return DetectedType("image/png", "png")
    if head.startswith(b"\xff\xd8\xff"):
        return DetectedType("image/jpeg", "jpg")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # Legacy Office (OLE2). Word and Excel cannot be told apart cheaply; both download as an Office file.
        return DetectedType("application/vnd.ms-office", "doc")
    if head.startswith(b"PK\x03\x04"):
        return _detect_zip(handle)
    return _detect_text(handle)


def _detect_zip(handle: IO[bytes]) -> DetectedType | None:
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            if infos and infos[0].filename == "mimetype" and infos[0].file_size < 200:
                mimetype = archive.read(infos[0]).decode("ascii", "replace").strip()
                if mimetype in OPENDOCUMENT:
                    return DetectedType(mimetype, OPENDOCUMENT[mimetype])
                return None
            names = [info.filename for info in infos]
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, (content_type, extension) in OOXML.items():
        if any(name.startswith(prefix) for name in names):
            return DetectedType(content_type, extension)
    return None


def _detect_text(handle: IO[bytes]) -> DetectedType | None:
    """Valid UTF-8 without NUL bytes or markup: CSV if it looks like comma-separated rows, otherwise text."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    tail = b""
    first = b""
    while chunk := handle.read(CHUNK):
        if not first:
            first = chunk
        if b"\x00" in chunk or _MARKUP.search(tail + chunk):
            return None
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError:
            return None
        tail = chunk[-_MARKUP_TAIL:]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return DetectedType("text/csv", "csv") if _looks_like_csv(first) else DetectedType("text/plain", "txt")


def _looks_like_csv(sample: bytes) -> bool:
    lines = [line for line in sample.decode("utf-8", "ignore").splitlines()[:20] if line.strip()]
    if len(lines) < 2:
        return False
    counts = {line.count(",") for line in lines[:-1]}  # the last line may be cut off mid-row
    return len(counts) == 1 and counts.pop() > 0


def file_sha256(handle: IO[bytes]) -> str:
    """SHA-256 of a file, read in chunks from the start."""
    digest = hashlib.sha256()
    handle.seek(0)
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def display_filename(name: str, *, fallback: str = "evidence") -> str:
    """The uploader's file name made safe to show and to offer as a download name; never used for storage."""
    name = unicodedata.normalize("NFKC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in {"C"})
    name = re.sub(r"[^\w .()\[\]&+,'-]", "_", name).strip(" .")
    name = re.sub(r"\s+", " ", name)
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:150]
    return name or fallback


EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "application/vnd.ms-office": "doc",
    "text/csv": "csv",
    "text/plain": "txt",
    **{content_type: extension for content_type, extension in OOXML.values()},
    **OPENDOCUMENT,
}


_ALIASES = {"jpg": {"jpeg"}, "doc": {"xls", "ppt"}}


def download_filename(original: str, content_type: str) -> str:
    """The name offered for download: the sanitised original, with the extension of what the file really is."""
    detected_extension = EXTENSIONS.get(content_type, "bin")
    name = display_filename(original)
    stem, dot, ext = name.rpartition(".")
    if dot and ext.lower() == detected_extension:
        return name
    if dot and ext.lower() in _ALIASES.get(detected_extension, ()):
        return name
    return f"{stem if dot else name}.{detected_extension}"


class UploadSizeLimit(FileUploadHandler):
    """Drops an uploaded file as soon as it passes the limit, so an oversize file is never stored in full.

    Must come before Django's own handlers, which means installing it before the request body is read (in a view
    exempted from the CSRF middleware, which would otherwise read the body first, and checked by csrf_protect).
    """

    def __init__(self, request=None, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.max_bytes:
            self.exceeded = True
            raise SkipFile(f"Larger than {self.max_bytes} bytes")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

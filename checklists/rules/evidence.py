"""Checking evidence uploads by their content, never by the name or content type the browser sent.

Only the kinds of document sites use as evidence are accepted: PDF, Word, Excel, PowerPoint, OpenDocument, PNG,
JPEG, CSV and plain text. Anything else, an empty file or a file over the size limit is refused with a message
that says what to do. So is active content inside an accepted kind: a PDF with scripts, launch actions or embedded
files, an Office file with macros, and an Office file that would unpack to far more than it weighs.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.conf import settings
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


# The longest upload name kept (Evidence.original_filename); a longer one is refused, never cut without a word.
MAX_NAME_LENGTH = 255

# PDF names that run code or carry files: JavaScript (in /OpenAction, /AA or a /Names tree), launch actions, and
# embedded files. A name may spell any character as #xx (/J#61vaScript), so names are decoded before comparing.
PDF_ACTIVE_NAMES = frozenset({b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles"})
# A PDF name token: a slash, then anything up to whitespace or a delimiter.
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
# How far before the keyword `stream` its object's dictionary is looked for.
_PDF_DICT_WINDOW = 4096
_PDF_OTHER_FILTERS = frozenset({b"ASCIIHexDecode", b"ASCII85Decode", b"LZWDecode", b"RunLengthDecode", b"Crypt"})
# Object streams (/ObjStm) hold compressed objects, where names can hide; they are inflated up to this much in all.
PDF_INFLATE_LIMIT = 32 * 1024 * 1024

# Office files: a member that unpacks to over this ratio of its packed size is a decompression bomb, not a document.
ZIP_MAX_RATIO = 200
ZIP_RATIO_FLOOR = 1024 * 1024  # small members (XML that compresses well) are not held to the ratio
_OFFICE_MACRO_TYPES = re.compile(rb"macroenabled|vbaproject|vbadata", re.IGNORECASE)
_OLE_VBA_PROJECT = "_VBA_PROJECT".encode("utf-16-le")  # a legacy Office file's macro storage, by its entry name


def too_big_error(max_bytes: int) -> ValidationError:
    return ValidationError(f"The selected file must be smaller than {filesizeformat(max_bytes)}.", code="too_big")


def name_too_long_error() -> ValidationError:
    return ValidationError(
        f"The selected file's name is too long. Rename the file to {MAX_NAME_LENGTH} characters or fewer "
        "and upload it again.",
        code="name_too_long",
    )


@dataclass(frozen=True)
class DetectedType:
    content_type: str
    extension: str


def validate_upload(uploaded_file, *, max_bytes: int, max_unpacked: int | None = None) -> DetectedType:
    """The type of an uploaded file, found from its content; ValidationError if it is not one we accept.

    `max_unpacked` bounds what an Office or OpenDocument file may unpack to (settings.EVIDENCE_MAX_UNPACKED_BYTES).
    """
    size = uploaded_file.size or 0
    if size == 0:
        raise ValidationError("The selected file is empty. Choose a file that has something in it.", code="empty")
    if size > max_bytes:
        raise too_big_error(max_bytes)
    if len(uploaded_file.name or "") > MAX_NAME_LENGTH:
        raise name_too_long_error()
    if max_unpacked is None:
        max_unpacked = settings.EVIDENCE_MAX_UNPACKED_BYTES
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    try:
        detected = _detect(uploaded_file, head)
        if detected is None:
            raise ValidationError(
                f"The selected file must be a {ACCEPTED_KINDS} file. "
                "Files are checked by their content, not their name.",
                code="type",
            )
        uploaded_file.seek(0)
        _check_active_content(uploaded_file, detected, max_unpacked=max_unpacked)
    finally:
        uploaded_file.seek(0)
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


def _check_active_content(handle: IO[bytes], detected: DetectedType, *, max_unpacked: int) -> None:
    """ValidationError if a file of an accepted kind carries code, embedded files or a decompression bomb."""
    if detected.extension == "pdf":
        _check_pdf(handle.read())
    elif detected.extension == "doc":
        _check_ole(handle)
    elif detected.extension in {*(ext for _, ext in OOXML.values()), *OPENDOCUMENT.values()}:
        _check_office_zip(handle, max_unpacked=max_unpacked)


def _pdf_names(data: bytes) -> set[bytes]:
    """Every name in a stretch of PDF, with #xx escapes decoded."""
    names = set(_PDF_NAME.findall(data))
    escaped = {name for name in names if b"#" in name}
    return (names - escaped) | {_PDF_HEX.sub(lambda hexed: bytes([int(hexed.group(1), 16)]), n) for n in escaped}


def _pdf_stream_starts(data: bytes) -> Iterator[tuple[int, int]]:
    """(where the keyword `stream` is, where its data starts) for each stream, found with a plain byte search."""
    position = data.find(b"stream")
    while position != -1:
        after = position + len(b"stream")
        if data[max(0, position - 3) : position] != b"end":
            if data[after : after + 2] == b"\r\n":
                yield position, after + 2
            elif data[after : after + 1] in (b"\n", b"\r"):
                yield position, after + 1
        position = data.find(b"stream", after)


def _pdf_refused(found: set[bytes]) -> ValidationError:
    what = []
    if found & {b"JavaScript", b"JS"}:
        what.append("JavaScript")
    if b"Launch" in found:
        what.append("an action that starts a program")
    if found & {b"EmbeddedFile", b"EmbeddedFiles"}:
        what.append("attached files")
    return ValidationError(
        f"The selected PDF contains {' and '.join(what)}, which evidence files must not have. Print it to a new PDF "
        "(or export it again without attachments or scripts) and upload that.",
        code="pdf_active",
    )


def _check_pdf(data: bytes) -> None:
    """Refuse a PDF whose objects, plain or inside compressed object streams, name scripts, launches or files."""
    names = _pdf_names(data)
    budget = PDF_INFLATE_LIMIT
    view = memoryview(data)
    streams = _pdf_stream_starts(data) if b"ObjStm" in names else ()  # none without object streams
    for keyword, start in streams:
        header = data.rfind(b"obj", max(0, keyword - _PDF_DICT_WINDOW), keyword)  # this object's "N 0 obj"
        text = data[header + 3 if header != -1 else max(0, keyword - _PDF_DICT_WINDOW) : keyword]
        if b"ObjStm" not in text and b"#" not in text:
            continue
        dictionary = _pdf_names(text)
        if b"ObjStm" not in dictionary or b"Filter" not in dictionary:
            continue  # not an object stream, or one stored plainly and so already read
        if not dictionary & {b"FlateDecode", b"Fl"} or dictionary & _PDF_OTHER_FILTERS:
            raise _pdf_unreadable()
        inflated = _inflate(view[start:], budget)
        budget -= len(inflated)
        names |= _pdf_names(inflated)
    found = names & PDF_ACTIVE_NAMES
    if found:
        raise _pdf_refused(found)


def _inflate(data: memoryview, budget: int) -> bytes:
    """The zlib stream at the start of `data`, inflated up to `budget` bytes; refused if bigger, cut off or broken."""
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(data, budget + 1)
    except zlib.error:
        raise _pdf_unreadable() from None
    if len(inflated) > budget or not inflater.eof:
        raise _pdf_unreadable()
    return inflated


def _pdf_unreadable() -> ValidationError:
    return ValidationError(
        "The selected PDF could not be checked: it may be damaged, encrypted or unusually compressed. "
        "Remove any password, print it to a new PDF and upload that.",
        code="pdf_unreadable",
    )


def _check_office_zip(handle: IO[bytes], *, max_unpacked: int) -> None:
    """Refuse Office and OpenDocument files that carry macros or unpack to far more than they weigh."""
    with zipfile.ZipFile(handle) as archive:
        infos = archive.infolist()
        total = 0
        for info in infos:
            total += info.file_size
            ratio_too_high = info.file_size > ZIP_RATIO_FLOOR and info.file_size > ZIP_MAX_RATIO * max(
                info.compress_size, 1
            )
            if total > max_unpacked or ratio_too_high:
                raise ValidationError(
                    f"The selected file unpacks to more than {filesizeformat(max_unpacked)} or is compressed in a "
                    "way no document is, so it cannot be accepted. Open it, save it as a new file and upload that.",
                    code="zip_bomb",
                )
        macro_parts = [
            info.filename
            for info in infos
            if info.filename.lower().rsplit("/", 1)[-1] in {"vbaproject.bin", "vbadata.xml"}
            or info.filename.lower().startswith(("basic/", "scripts/"))  # OpenDocument macros
        ]
        content_types = next((info for info in infos if info.filename == "[Content_Types].xml"), None)
        if content_types is not None and content_types.file_size <= ZIP_RATIO_FLOOR:
            if _OFFICE_MACRO_TYPES.search(archive.read(content_types)):
                macro_parts.append(content_types.filename)
    if macro_parts:
        raise _macros_refused()


def _check_ole(handle: IO[bytes]) -> None:
    """Refuse a legacy Office file (.doc, .xls, .ppt) with a VBA macro project in it."""
    tail = b""
    while chunk := handle.read(CHUNK):
        if _OLE_VBA_PROJECT in tail + chunk:
            raise _macros_refused()
        tail = chunk[-len(_OLE_VBA_PROJECT) :]


def _macros_refused() -> ValidationError:
    return ValidationError(
        "The selected file contains macros, which evidence files must not have. Save it as a document without "
        "macros (for example, Word Document (.docx) or Excel Workbook (.xlsx)) and upload that.",
        code="macros",
    )


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

# Text is sent as plain text: a CSV's cells may be formulas, and text/csv invites the browser to open a spreadsheet.
_DOWNLOAD_TYPES = {"text/csv": "text/plain; charset=utf-8", "text/plain": "text/plain; charset=utf-8"}


def download_content_type(content_type: str) -> str:
    """The Content-Type an evidence file is sent with, from the type detected at upload."""
    return _DOWNLOAD_TYPES.get(content_type, content_type or "application/octet-stream")


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
    """Drops an uploaded file as soon as it passes the limit, so an oversize file is never stored in full, and
    notes a name too long to keep.

    Must come before Django's own handlers, which means installing it before the request body is read (in a view
    exempted from the CSRF middleware, which would otherwise read the body first, and checked by csrf_protect).
    """

    def __init__(self, request=None, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.exceeded = False
        self.name_too_long = False

    def new_file(self, field_name: str, file_name: str, *args, **kwargs) -> None:
        # Django cuts names to 255 characters before a form sees them; the name as sent is only seen here.
        super().new_file(field_name, file_name, *args, **kwargs)
        if len(file_name or "") > MAX_NAME_LENGTH:
            self.name_too_long = True

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.max_bytes:
            self.exceeded = True
            raise SkipFile(f"Larger than {self.max_bytes} bytes")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

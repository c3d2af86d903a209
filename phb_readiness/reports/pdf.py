"""Rendering reports to PDF with WeasyPrint, fetching nothing but the app's own static files.

The HTML is our own template, but what it prints (narratives, comments, evidence titles) is typed by people: the
URL fetcher refuses the network and the file system, so no content can make the renderer fetch anything else.
Fonts come from the system (DejaVu / Liberation, installed in the image), so the same data renders the same pages.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

# A base URL that resolves nowhere: relative links in the template become URLs under it, and only those under
# STATIC_URL are served, from the staticfiles finders.
BASE_URL = "https://phb-readiness.invalid/"
PDF_OPTIONS = {"pdf_tags": True, "pdf_variant": "pdf/ua-1"}


class RefusedURL(ValueError):
    """The report asked for something other than one of the app's static files."""


class StaticFilesOnly(URLFetcher):
    """Serves the app's static files (through the staticfiles finders) and refuses every other URL."""

    def __init__(self) -> None:
        super().__init__(allow_redirects=False)  # fetch() below never calls the network handlers it sets up
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        prefix = BASE_URL.rstrip("/") + settings.STATIC_URL
        parts = urlsplit(url)
        path = unquote(parts.path)
        if not url.startswith(prefix) or parts.query or ".." in path.split("/"):
            self.refused.append(url)
            raise RefusedURL(f"Reports may use only the app's static files, not {url!r}.")
        found = finders.find(path.removeprefix(settings.STATIC_URL))
        if not found:
            self.refused.append(url)
            raise RefusedURL(f"No static file {path!r}.")
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        self.served.append(url)
        return URLFetcherResponse(url, body=Path(found).read_bytes(), headers={"Content-Type": content_type})


@cache
def lean_user_agent_stylesheet() -> CSS:
    """WeasyPrint's default (user-agent) stylesheet without its rules for pseudo-elements of *every* element.

    `::marker` and the footnote and note pseudo-elements (`::footnote-call`, `::note-marker`, ...) are styled for
    every element, so every element of the report gets six pseudo-element styles of its own, which are not shared
    the way the styles of like elements are: at 1,500 sites (some 19,000 elements) that is 80 MB and two seconds of
    CPU. Reports use no footnotes and only list items have markers, so `::marker` is kept for list items (and
    summaries, as before) and the note rules go. The rendering is otherwise the same (tests/test_pdf_user_agent.py).
    """
    default = (Path(weasyprint.__file__).parent / "css" / "html5_ua.css").read_text(encoding="utf-8")
    lean, markers = re.subn(r"^::marker \{", "li::marker, summary::marker {", default, flags=re.MULTILINE)
    lean, notes = re.subn(r"^::(?:footnote|note)-[a-z-]+ \{[^}]*\}$", "", lean, flags=re.MULTILINE)
    if (markers, notes) != (1, 5):  # a WeasyPrint upgrade changed the stylesheet: use it as it is
        return CSS(string=default)
    return CSS(string=lean)


class ReportHTML(HTML):
    """HTML rendered with the lean user-agent stylesheet (lean_user_agent_stylesheet)."""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [lean_user_agent_stylesheet(), *super()._ua_stylesheets(forms=forms)[1:]]


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int
    sha256: str


def pdf_render(*, template: str, context: dict) -> RenderedPdf:
    """Render a report template to a tagged PDF and count its pages."""
    html = render_to_string(template, {**context, "static_base": BASE_URL.rstrip("/") + settings.STATIC_URL})
    return pdf_from_html(html)


def pdf_from_html(html: str, *, fetcher: StaticFilesOnly | None = None) -> RenderedPdf:
    """Lay the HTML out and write the PDF. Garbage is collected before each of the two steps, so each reuses the
    memory the step before it left unreachable instead of growing the process (a few MB off the peak at 1,500 sites)."""
    fetcher = fetcher or StaticFilesOnly()
    gc.collect()
    document = ReportHTML(string=html, base_url=BASE_URL, url_fetcher=fetcher, media_type="print").render(**PDF_OPTIONS)
    gc.collect()
    content = document.write_pdf(**PDF_OPTIONS)
    return RenderedPdf(content=content, pages=len(document.pages), sha256=hashlib.sha256(content).hexdigest())


@cache
def _malloc_trim():
    """glibc's malloc_trim, or None; looked up once (find_library runs ldconfig in a subprocess)."""
    libc_name = ctypes.util.find_library("c")
    return getattr(ctypes.CDLL(libc_name), "malloc_trim", None) if libc_name else None


def memory_release() -> None:
    """Collect garbage and hand the heap's free pages back to the system (glibc's malloc_trim) after a render, so
    that what runs next in the worker (signing, which imports pyHanko) reuses that memory instead of adding to a peak
    the render already set. A no-op where the C library has no malloc_trim."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)

"""Reports render with WeasyPrint's default stylesheet less its rules for pseudo-elements of every element (markers
of list items kept, footnotes unused): the same pages, for less memory and time."""

import io

import pypdf
from weasyprint import HTML

from phb_readiness.reports.pdf import ReportHTML, lean_user_agent_stylesheet

SAMPLE = (
    """<!DOCTYPE html><html lang="en-GB"><head><title>Sample</title></head><body>
<h1>Sample</h1><ol><li>First</li><li>Second</li></ol><ul><li>Bullet</li></ul>
<table><thead><tr><th scope="col">Code</th><th scope="col">Site</th></tr></thead>
<tbody>"""
    + "".join(f"<tr><td>S{n:03d}</td><td>Site {n}</td></tr>" for n in range(200))
    + "</tbody></table></body></html>"
)


def text_of(document_class) -> tuple[int, list[str]]:
    pdf = pypdf.PdfReader(io.BytesIO(document_class(string=SAMPLE).write_pdf(pdf_tags=True)))
    return len(pdf.pages), [page.extract_text() for page in pdf.pages]


def test_reports_use_the_lean_stylesheet():
    sheets = ReportHTML(string=SAMPLE)._ua_stylesheets()
    assert sheets == [lean_user_agent_stylesheet()]
    assert len(ReportHTML(string=SAMPLE)._ua_stylesheets(forms=True)) == 2


def test_the_lean_stylesheet_renders_the_same_pages():
    lean_pages, lean_text = text_of(ReportHTML)
    pages, text = text_of(HTML)
    assert (lean_pages, lean_text) == (pages, text)
    assert all(marker in lean_text[0] for marker in ("1. ", "2. ", "• "))  # list markers kept

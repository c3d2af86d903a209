"""Helpers for the checklist import tests: export a site's spreadsheet, edit it with openpyxl, upload it."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checklists.rules.imports import CHECKLIST_HEADER

COLUMN = {heading: index + 1 for index, heading in enumerate(CHECKLIST_HEADER)}


def export_xlsx(client, site_code: str = "SITE-A", *, template: bool = False) -> bytes:
    name = "reports:site_checklist_template" if template else "reports:site_checklist_xlsx"
    answer = client.get(reverse(name, args=[site_code]))
    assert answer.status_code == 200, answer.status_code
    return answer.content


def row_of(sheet, code: str) -> int:
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=COLUMN["Item"]).value == code:
            return row
    raise AssertionError(f"no row for {code}")


def edited(data: bytes, edit: Callable) -> bytes:
    """The workbook after `edit(book)`, saved again as openpyxl saves it."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def set_cells(data: bytes, code: str, **values) -> bytes:
    """Set cells of an item's row by heading (Status="In place", Due_date=..., keyword spaces as underscores)."""

    def edit(book):
        sheet = book["Checklist"]
        row = row_of(sheet, code)
        for heading, value in values.items():
            sheet.cell(row=row, column=COLUMN[heading.replace("_", " ")], value=value)

    return edited(data, edit)


def upload(client, assessment_pk: int, data: bytes, name: str = "checklist.xlsx"):
    return client.post(
        reverse("checklists:import_upload", args=[assessment_pk]),
        {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")},
    )


def preview_url(answer) -> str:
    assert answer.status_code == 302, errors_shown(answer)
    assert re.search(r"/import/\d+/$", answer["Location"]), answer["Location"]
    return answer["Location"]


def errors_shown(answer) -> str:
    """The error summary's lines of a page (for failure messages and assertions)."""
    page = answer.content.decode()
    return " | ".join(re.findall(r'<li><a href="#[^"]*">(.*?)</a></li>', page))


def rezipped(data: bytes, *, replace: dict[str, Callable[[bytes], bytes]] | None = None, add=None) -> bytes:
    """The same .xlsx with members rewritten (`replace`: name -> function of its bytes) or added (`add`)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if replace and info.filename in replace:
                body = replace[info.filename](body)
            target.writestr(info.filename, body)
        for name, body in (add or {}).items():
            target.writestr(name, body)
    return out.getvalue()


def checklist_sheet_member(data: bytes) -> str:
    """The zip member of the Checklist sheet (openpyxl numbers sheets in order: the first)."""
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "xl/worksheets/sheet1.xml" in names
    return "xl/worksheets/sheet1.xml"

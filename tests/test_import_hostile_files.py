"""Hostile or broken spreadsheets get a clear refusal, or errors that name the sheet, row and column, and change
nothing: formulas (read as the value saved with them, refused when there is none), macros, files over the size limit,
zip bombs, files that are not .xlsx workbooks, more rows or columns than the checklist has, unknown or duplicate item
codes, wrong types and unknown people."""

import io
import re
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from checklists.models import Assessment, ChecklistImport, Response
from phb_readiness.audit.models import AuditEvent
from tests.import_support import (
    COLUMN,
    checklist_sheet_member,
    edited,
    errors_shown,
    export_xlsx,
    preview_url,
    rezipped,
    row_of,
    set_cells,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(client, world):
    client.force_login(world.manager_a)
    return export_xlsx(client)


@pytest.fixture
def first(world):
    return world.assessment_a.responses.select_related("item").order_by("item__section__position", "item__position")[0]


def assert_nothing_changed(world):
    assert not ChecklistImport.objects.exists()
    assert not Response.objects.filter(assessment=world.assessment_a, version__gt=1).exists()
    assert not AuditEvent.objects.filter(action__in=["response.update", "checklist.import"]).exists()


def refusal(answer) -> str:
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "<title>Error: Import from a spreadsheet" in page
    match = re.search(r'<p id="file-error" class="govuk-error-message">.*?</span> (.*?)</p>', page, re.S)
    assert match, errors_shown(answer)
    return match.group(1)


def _macro_workbook(data: bytes) -> bytes:
    def macro_types(body: bytes) -> bytes:
        return body.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )

    return rezipped(data, replace={"[Content_Types].xml": macro_types}, add={"xl/vbaProject.bin": b"\xd0\xcf" * 64})


def _zip_bomb(data: bytes) -> bytes:
    return rezipped(data, add={"xl/media/image1.png": b"\0" * (30 * 1024 * 1024)})


def _not_xlsx_word(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _extra_rows(data: bytes) -> bytes:
    def edit(book):
        sheet = book["Checklist"]
        for n in range(sheet.max_row + 1, sheet.max_row + 40):
            sheet.cell(row=n, column=COLUMN["Item"], value=f"X-{n}")

    return edited(data, edit)


def _extra_column(data: bytes) -> bytes:
    return edited(data, lambda book: book["Checklist"].cell(row=3, column=len(COLUMN) + 1, value="Notes"))


def _other_site(data: bytes) -> bytes:
    return edited(data, lambda book: book["About"].cell(row=3, column=2, value="SITE-B"))


def _other_framework_version(data: bytes) -> bytes:
    return edited(data, lambda book: book["About"].cell(row=7, column=2, value="1999.1"))


def _no_about_sheet(data: bytes) -> bytes:
    return edited(data, lambda book: book.remove(book["About"]))


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (_macro_workbook, "contains macros"),
        (_zip_bomb, "unpacks to far more than a checklist spreadsheet does"),
        (lambda data: b"Item,Status\nEMP-01,In place\n", "must be an Excel Workbook (.xlsx)"),
        (lambda data: b"PK\x03\x04 not really a zip", "must be an Excel Workbook (.xlsx)"),
        (_not_xlsx_word, "must be an Excel Workbook (.xlsx)"),
        (lambda data: b"", "The selected file is empty"),
        (_extra_rows, "more rows than the checklist has items"),
        (_extra_column, "beyond the 15 columns of the checklist"),
        (_other_site, "is the checklist of SITE-B, not SITE-A"),
        (_other_framework_version, "was made for version 1999.1 of the checklist"),
        (_no_about_sheet, "has no Checklist and About sheets"),
    ],
    ids=[
        "macros",
        "zip-bomb",
        "csv",
        "not-a-zip",
        "word-document",
        "empty",
        "too-many-rows",
        "too-many-columns",
        "another-site",
        "another-framework-version",
        "no-about-sheet",
    ],
)
def test_a_hostile_or_foreign_file_is_refused_whole(client, world, exported, make, says):
    answer = upload(client, world.assessment_a.pk, make(exported))
    assert says in refusal(answer)
    assert_nothing_changed(world)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(client, world, exported, settings):
    settings.PHB_IMPORT_MAX_BYTES = 1024
    assert len(exported) > 1024
    assert "must be smaller than 1.0" in refusal(upload(client, world.assessment_a.pk, exported))
    assert_nothing_changed(world)


def _formula_with_saved_value(data: bytes, code: str, value: str) -> bytes:
    """A Status cell holding a formula and the value a spreadsheet program saved with it."""
    with_formula = set_cells(data, code, Status='="ignored"')
    row = row_of(openpyxl.load_workbook(io.BytesIO(with_formula))["Checklist"], code)
    cell = f"F{row}"

    def cached(body: bytes) -> bytes:
        pattern = rb'<c r="' + cell.encode() + rb'"([^>]*)><f>[^<]*</f><v\s*/?>(</v>)?</c>'
        replaced, count = re.subn(
            pattern, b'<c r="' + cell.encode() + b'" t="str"><f>"x"</f><v>' + value.encode() + b"</v></c>", body
        )
        assert count == 1
        return replaced

    return rezipped(with_formula, replace={checklist_sheet_member(with_formula): cached})


def test_a_formula_is_read_as_its_saved_value_never_run(client, world, exported, first):
    data = _formula_with_saved_value(exported, first.item.code, "In progress")
    preview = client.get(preview_url(upload(client, world.assessment_a.pk, data)))
    assert f'data-item="{first.item.code}" data-field="status"' in preview.content.decode()
    client.post(preview.wsgi_request.path)
    first.refresh_from_db()
    assert first.status == Response.Status.IN_PROGRESS


def _row_errors(client, world, data) -> str:
    answer = upload(client, world.assessment_a.pk, data)
    assert answer.status_code == 200
    assert "<title>Error: Import from a spreadsheet" in answer.content.decode()
    assert_nothing_changed(world)
    return errors_shown(answer)


def test_a_formula_without_a_saved_value_is_a_row_error(client, world, exported, first):
    data = set_cells(exported, first.item.code, Narrative='=HYPERLINK("http://evil.example")')
    errors = _row_errors(client, world, data)
    assert "Checklist sheet, row 2, column G (Narrative): This cell holds a formula with no saved value" in errors


def test_wrong_types_are_row_errors_naming_sheet_row_and_column(client, world, exported, first):
    second = world.assessment_a.responses.select_related("item").exclude(pk=first.pk).order_by("item__position")[0]
    data = set_cells(exported, first.item.code, Status="Done", Due_date="next Tuesday")
    data = set_cells(data, second.item.code, Version="two")
    errors = _row_errors(client, world, data)
    assert "Checklist sheet, row 2, column F (Status): “Done” is not a status. Enter one of: Not started" in errors
    assert "row 2, column J (Due date): Enter the due date as a date, for example 31/03/2010" in errors
    assert "column O (Version): Leave the version as exported" in errors


def test_unknown_and_duplicate_item_codes_are_row_errors(client, world, exported, first):
    def edit(book):
        sheet = book["Checklist"]
        sheet.cell(row=3, column=COLUMN["Item"], value="NOPE-99")
        sheet.cell(row=4, column=COLUMN["Item"], value=first.item.code)

    errors = _row_errors(client, world, edited(exported, edit))
    assert "row 3, column B (Item): There is no item NOPE-99 in this checklist" in errors
    assert f"row 4, column B (Item): Item {first.item.code} is also on row 2. Keep one row per item" in errors


def test_an_owner_who_is_not_at_the_site_is_a_row_error(client, world, exported, first):
    errors = _row_errors(client, world, set_cells(exported, first.item.code, Owner=world.manager_b.email))
    assert f"row 2, column I (Owner): “{world.manager_b.email}” is not a manager or contributor at this site" in errors


def test_an_answer_that_breaks_the_rules_is_a_row_error(client, world, exported, first):
    errors = _row_errors(client, world, set_cells(exported, first.item.code, Status="Not applicable"))
    assert "row 2, column H (Why not applicable): Enter the reason this item does not apply to your site" in errors


def test_a_contributor_cannot_assign_owners_by_spreadsheet(client, world, first):
    client.force_login(world.contributor_a)
    data = set_cells(export_xlsx(client), first.item.code, Owner=world.contributor_a.email)
    errors = _row_errors(client, world, data)
    assert "row 2, column I (Owner): Only a pilot manager can assign an owner" in errors


@pytest.mark.parametrize("length", [300, 1000])
def test_a_very_long_file_name_is_a_page_never_a_bare_error(client, world, exported, length):
    answer = upload(client, world.assessment_a.pk, exported, name="c" * (length - 5) + ".xlsx")
    assert answer.status_code == 200
    assert_nothing_changed(world)


def test_an_upload_without_a_file_asks_for_one(client, world, exported):
    answer = client.post(reverse("checklists:import_upload", args=[world.assessment_a.pk]), {})
    assert refusal(answer) == "Select the checklist spreadsheet (.xlsx) to import"


def test_nothing_is_imported_into_a_submitted_assessment(client, world, exported):
    Assessment.objects.filter(pk=world.assessment_a.pk).update(state=Assessment.State.SUBMITTED)
    answer = upload(client, world.assessment_a.pk, exported)
    assert "frozen while the assessment is submitted" in refusal(answer)
    assert_nothing_changed(world)

"""Reading a checklist spreadsheet back in: the layout the site export writes, the checks a file must pass before it
is opened, and the comparison of its rows with the answers as they stand. Pure: bytes and plain values in, rows,
changes and errors out; nothing here reads or writes the database.

Formulas are never run and never read as formulas: values are read with `data_only=True`, so a formula cell gives
the value the spreadsheet program saved with it. A formula cell with no saved value (a file written by a program
that does not calculate) is refused as a row error naming the cell, never read as empty.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from checklists.models import Item, Response
from checklists.rules.answers import response_rule_errors
from checklists.rules.evidence import validate_upload

CHECKLIST_SHEET = "Checklist"
ABOUT_SHEET = "About"
# The checklist sheet's columns, as the export writes them. The import reads the ones in READ_COLUMNS by their
# heading (so reordered columns still import) and ignores the rest, which the service fills in.
CHECKLIST_HEADER = [
    "Section",
    "Item",
    "Question",
    "Mandatory",
    "Evidence expected",
    "Status",
    "Narrative",
    "Why not applicable",
    "Owner",
    "Due date",
    "Evidence (title, SHA-256 or link)",
    "Comments",
    "Open concerns",
    "Comments and concerns (newest last)",
    "Version",
]
# Heading -> the response field it holds.
READ_COLUMNS = {
    "Item": "code",
    "Status": "status",
    "Narrative": "narrative",
    "Why not applicable": "not_applicable_reason",
    "Owner": "owner",
    "Due date": "due_date",
    "Version": "version",
}
# The About sheet: one label and value per row.
ABOUT_SITE = "Site code"
ABOUT_FRAMEWORK = "Framework"
ABOUT_FRAMEWORK_VERSION = "Framework version"
ABOUT_KIND = "Kind"
KIND_EXPORT = "Checklist export"
KIND_TEMPLATE = "Blank template"

TEXT_LIMITS = {"narrative": 20000, "not_applicable_reason": 5000}
FIELD_HEADINGS = {field_name: heading for heading, field_name in READ_COLUMNS.items()}
# What a spreadsheet program would run as a formula; the export writes such text with a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")
_INTEGER = re.compile(r"^\s*\d{1,9}\s*$")
STATUS_LABELS = ", ".join(label for _value, label in Response.Status.choices)


class ImportRefused(Exception):
    """The whole file is refused: one sentence that says what is wrong and what to do. Nothing was written."""


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str  # the heading, e.g. "Status"
    letter: str  # the column letter, e.g. "F"; blank for a row-wide error
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} sheet, row {self.row}"
        if self.letter:
            where += f", column {self.letter} ({self.column})"
        return f"{where}: {self.message}"


@dataclass
class SheetRow:
    row: int
    code: str
    values: dict  # status, narrative, not_applicable_reason, owner (text), due_date, version
    letters: dict  # field -> column letter


@dataclass
class ParsedFile:
    site_code: str
    framework_version: str
    kind: str
    rows: list[SheetRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def check_file(data: bytes, *, name: str, max_bytes: int, max_unpacked: int) -> None:
    """Refuse, before anything opens the workbook, a file that is not an .xlsx workbook or is hostile: too big,
    a zip that unpacks to far more than it weighs (checked from the zip's directory, entry by entry), or macros."""
    if len(data) > max_bytes:
        raise ImportRefused(
            f"The selected file must be smaller than {filesizeformat(max_bytes)}. A checklist spreadsheet is far "
            "smaller: check that you chose the right file."
        )
    try:
        detected = validate_upload(ContentFile(data, name=name[-200:]), max_bytes=max_bytes, max_unpacked=max_unpacked)
    except ValidationError as exc:
        messages = {
            "empty": "The selected file is empty. Choose the checklist spreadsheet (.xlsx) and upload it again.",
            "macros": "The selected file contains macros, which a checklist spreadsheet must not have. Save it as an "
            "Excel Workbook (.xlsx) without macros and upload that.",
            "zip_bomb": "The selected file unpacks to far more than a checklist spreadsheet does, so it was not "
            "opened. Open it, save it as a new Excel Workbook (.xlsx) and upload that.",
        }
        raise ImportRefused(messages.get(exc.code or "", _not_xlsx_message())) from None
    if detected.extension != "xlsx":
        raise ImportRefused(_not_xlsx_message())


def _not_xlsx_message() -> str:
    return (
        "The selected file must be an Excel Workbook (.xlsx): the checklist exported from this service or its blank "
        "template. Files are checked by their content, not their name."
    )


def read_workbook(data: bytes, *, max_rows: int) -> ParsedFile:
    """The About sheet's facts and the checklist sheet's rows. Raises ImportRefused for a file that is not a
    checklist or is larger than one (more rows with something in them than `max_rows`, more columns than the
    export writes)."""
    try:
        values_book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas_book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file; all mean the same to the person
        raise ImportRefused(
            "The selected file could not be read as an Excel Workbook. Open it in your spreadsheet program, save it "
            "as an Excel Workbook (.xlsx) and upload it again."
        ) from None
    try:
        if CHECKLIST_SHEET not in values_book.sheetnames or ABOUT_SHEET not in values_book.sheetnames:
            raise ImportRefused(
                f"The selected file has no {CHECKLIST_SHEET} and {ABOUT_SHEET} sheets. Download the checklist or its "
                "blank template from this service, fill that in and upload it."
            )
        about = _read_about(values_book[ABOUT_SHEET])
        parsed = ParsedFile(
            site_code=about.get(ABOUT_SITE, ""),
            framework_version=about.get(ABOUT_FRAMEWORK_VERSION, ""),
            kind=about.get(ABOUT_KIND, KIND_EXPORT),
        )
        formula_cells = _formula_cells(formulas_book[CHECKLIST_SHEET], max_rows=max_rows)
        _read_rows(values_book[CHECKLIST_SHEET], parsed, formula_cells=formula_cells, max_rows=max_rows)
    finally:
        values_book.close()
        formulas_book.close()
    return parsed


def _read_about(sheet) -> dict[str, str]:
    about: dict[str, str] = {}
    for index, row in enumerate(sheet.iter_rows(max_col=2, values_only=True), start=1):
        if index > 50:
            raise ImportRefused(f"The {ABOUT_SHEET} sheet has more rows than the service writes. Download it again.")
        if row and row[0] is not None:
            about[str(row[0]).strip()] = "" if len(row) < 2 or row[1] is None else str(row[1]).strip()
    return about


def _row_limit_refusal(max_rows: int) -> ImportRefused:
    return ImportRefused(
        f"The {CHECKLIST_SHEET} sheet has more rows than the checklist has items ({max_rows}). Remove the extra rows "
        "and upload it again."
    )


def _formula_cells(sheet, *, max_rows: int) -> set[tuple[int, int]]:
    """(row, column) of every formula cell, read without calculating anything."""
    found = set()
    for row_number, row in enumerate(sheet.iter_rows(), start=1):
        if row_number > max_rows + 1 + _BLANK_ROW_ALLOWANCE:
            raise _row_limit_refusal(max_rows)
        for cell in row:
            if getattr(cell, "data_type", None) == "f":
                found.add((row_number, cell.column))
    return found


# Blank rows (a spreadsheet program may keep some) do not count as items, up to this many.
_BLANK_ROW_ALLOWANCE = 200


def _read_rows(sheet, parsed: ParsedFile, *, formula_cells: set[tuple[int, int]], max_rows: int) -> None:
    columns: dict[str, int] = {}
    filled = 0
    for row_number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if row_number > max_rows + 1 + _BLANK_ROW_ALLOWANCE:
            raise _row_limit_refusal(max_rows)
        last = max((i for i, v in enumerate(row) if v not in (None, "")), default=-1)
        if last >= len(CHECKLIST_HEADER):
            raise ImportRefused(
                f"The {CHECKLIST_SHEET} sheet has something in column {get_column_letter(last + 1)}, beyond the "
                f"{len(CHECKLIST_HEADER)} columns of the checklist (A to {get_column_letter(len(CHECKLIST_HEADER))}). "
                "Remove the extra columns and upload it again."
            )
        if row_number == 1:
            headings = [str(v).strip() if v is not None else "" for v in row]
            columns = {h: i for i, h in enumerate(headings) if h in READ_COLUMNS}
            missing = [h for h in READ_COLUMNS if h not in columns]
            if missing:
                raise ImportRefused(
                    f"The {CHECKLIST_SHEET} sheet's first row has no {', '.join(missing)} heading. Download the "
                    "checklist or its blank template again and keep its headings."
                )
            continue
        if last < 0:
            continue
        filled += 1
        if filled > max_rows:
            raise _row_limit_refusal(max_rows)
        _read_row(parsed, row_number, row, columns, formula_cells)


def _read_row(parsed: ParsedFile, row_number: int, row: tuple, columns: dict[str, int], formula_cells) -> None:
    values: dict = {}
    letters: dict = {}
    errors_before = len(parsed.errors)
    for heading, field_name in READ_COLUMNS.items():
        index = columns[heading]
        letter = get_column_letter(index + 1)
        letters[field_name] = letter
        raw = row[index] if index < len(row) else None

        def error(message: str, heading=heading, letter=letter) -> None:
            parsed.errors.append(RowError(CHECKLIST_SHEET, row_number, heading, letter, message))

        if raw is None and (row_number, index + 1) in formula_cells:
            error("This cell holds a formula with no saved value. Type the value itself instead of a formula.")
            continue
        try:
            values[field_name] = _cell_value(field_name, raw)
        except ValueError as exc:
            error(str(exc))
    if len(parsed.errors) > errors_before:
        return
    if not values["code"]:
        parsed.errors.append(
            RowError(CHECKLIST_SHEET, row_number, "Item", letters["code"], "Enter the item's code, as exported")
        )
        return
    parsed.rows.append(SheetRow(row=row_number, code=values.pop("code"), values=values, letters=letters))


def _text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        raise ValueError("Enter text, not TRUE or FALSE")
    if isinstance(raw, (datetime.date, datetime.time)):
        raise ValueError("Enter text, not a date")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).replace("\r\n", "\n").replace("\r", "\n")
    # The export writes text that a spreadsheet would run as a formula with a leading apostrophe; take it off.
    if text.startswith("'") and text[1:2] and text[1:].startswith(_FORMULA_STARTS):
        text = text[1:]
    return text


def _cell_value(field_name: str, raw):
    if field_name == "code":
        return _text(raw).strip()
    if field_name == "status":
        label = _text(raw).strip()
        if not label:
            return Response.Status.NOT_STARTED.value
        for value, choice in Response.Status.choices:
            if label.casefold() in (choice.casefold(), value.casefold()):
                return value
        raise ValueError(f"“{label[:60]}” is not a status. Enter one of: {STATUS_LABELS}")
    if field_name in TEXT_LIMITS:
        text = _text(raw)
        if len(text) > TEXT_LIMITS[field_name]:
            raise ValueError(f"Shorten this to {TEXT_LIMITS[field_name]} characters or fewer")
        return text
    if field_name == "owner":
        return _text(raw).strip()
    if field_name == "due_date":
        return _date(raw)
    if field_name == "version":
        if raw is None or raw == "":
            return None
        if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
            return raw
        if isinstance(raw, float) and raw.is_integer() and raw > 0:
            return int(raw)
        if isinstance(raw, str) and _INTEGER.match(raw) and int(raw) > 0:
            return int(raw)
        raise ValueError("Leave the version as exported (a whole number); download the checklist again if unsure")
    raise AssertionError(field_name)


def _date(raw) -> datetime.date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            return None
        for fmt in _DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 -- a calendar date, no time
            except ValueError:
                continue
    raise ValueError("Enter the due date as a date, for example 31/03/2010, or leave it empty")


# Comparing the file with the answers as they stand.


@dataclass(frozen=True)
class Current:
    """An item's answer as it stands, with what the rules need of its item."""

    response_id: int
    item: Item
    status: str
    narrative: str
    not_applicable_reason: str
    owner_id: int | None
    due_date: datetime.date | None
    version: int
    carried_forward: bool = False

    @property
    def is_blank(self) -> bool:
        return (
            self.status == Response.Status.NOT_STARTED
            and not self.narrative
            and not self.not_applicable_reason
            and self.owner_id is None
            and self.due_date is None
        )


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    username: str
    email: str


def owner_label(person: Person | None) -> str:
    """An owner as the export writes them: full name, or the username when there is none."""
    return "" if person is None else person.name or person.username


def match_owner(text: str, people: list[Person]) -> tuple[Person | None, str | None]:
    """The person an Owner cell names (by full name, username or e-mail, ignoring case); or an error message."""
    if not text:
        return None, None
    wanted = text.casefold()
    by_email = [p for p in people if p.email and p.email.casefold() == wanted]
    if by_email:
        return by_email[0], None
    found = [p for p in people if p.username.casefold() == wanted] or [
        p for p in people if p.name and p.name.casefold() == wanted
    ]
    if len(found) == 1:
        return found[0], None
    if len(found) > 1:
        return None, f"More than one person at the site is called “{text[:80]}”. Enter their e-mail address instead"
    return None, (
        f"“{text[:80]}” is not a manager or contributor at this site. Enter the name or e-mail of someone who is, "
        "or leave it empty"
    )


def _display(field_name: str, value, names: dict[int, str]) -> str:
    if field_name == "status":
        return Response.Status(value).label
    if field_name == "owner":
        return names.get(value, "") if value is not None else ""
    if field_name == "due_date":
        return value.strftime("%d %b %Y") if value else ""
    return value or ""


def compare_rows(
    *,
    parsed: ParsedFile,
    current: dict[str, Current],
    people: list[Person],
    owner_names: dict[int, str],
    may_assign_owner: bool,
) -> tuple[list[dict], list[RowError], int]:
    """Each row that changes its item, as a JSON-ready entry (old beside new per field, whether it is a conflict);
    the errors that stop the import; and how many rows leave their item as it is. An answer carried forward from
    the last round that the file leaves as it is comes as an entry marked `carried`, with no changes: the person may
    confirm it as this round's answer.

    A row is a conflict when its item changed since the file was written: its version differs from the item's, or
    (a blank template, which has no versions) the item has an answer that the row would change.
    """
    # Owners as the export writes them: the site's people, and anyone who owns an item now (who may have left).
    names = owner_names | {p.id: owner_label(p) for p in people}
    errors = list(parsed.errors)
    entries: list[dict] = []
    unchanged = 0
    seen: dict[str, int] = {}
    for row in parsed.rows:

        def error(field_name: str, message: str, row=row) -> None:
            heading = FIELD_HEADINGS[field_name]
            errors.append(RowError(CHECKLIST_SHEET, row.row, heading, row.letters[field_name], message))

        if row.code in seen:
            error("code", f"Item {row.code[:20]} is also on row {seen[row.code]}. Keep one row per item")
            continue
        seen[row.code] = row.row
        now = current.get(row.code)
        if now is None:
            error("code", f"There is no item {row.code[:20]} in this checklist. Enter the code as exported")
            continue
        owner, owner_error = match_owner(row.values["owner"], people)
        if owner_error:
            # An owner who has since left the site still reads as they were exported: not a change.
            if row.values["owner"] != owner_names.get(now.owner_id, ""):
                error("owner", owner_error)
                continue
            owner_id = now.owner_id
        else:
            owner_id = owner.id if owner else None
        new = {
            "status": row.values["status"],
            "narrative": row.values["narrative"],
            "not_applicable_reason": row.values["not_applicable_reason"]
            if row.values["status"] == Response.Status.NOT_APPLICABLE
            else "",
            "owner": owner_id,
            "due_date": row.values["due_date"],
        }
        old = {
            "status": now.status,
            "narrative": now.narrative,
            "not_applicable_reason": now.not_applicable_reason,
            "owner": now.owner_id,
            "due_date": now.due_date,
        }
        changed = [name for name in new if new[name] != old[name]]
        if not changed:
            if now.carried_forward and row.values["version"] in (None, now.version):
                # Carried forward from the last round and left as it is: the person may confirm it as this round's.
                entries.append(_carried_entry(row, now))
            else:
                unchanged += 1
            continue
        if "owner" in changed and not may_assign_owner:
            error("owner", "Only a pilot manager can assign an owner. Leave the Owner as exported")
            continue
        rule_errors = response_rule_errors(item=now.item, values=new)
        if rule_errors:
            for name, message in rule_errors.items():
                error(name, message)
            continue
        base = row.values["version"]
        conflict = (base != now.version) if base is not None else not now.is_blank
        entries.append(
            {
                "code": row.code,
                "row": row.row,
                "response_id": now.response_id,
                "file_version": base,
                "version": now.version,  # the item's version at the preview: confirm saves against it
                "conflict": conflict,
                "changes": [
                    {
                        "field": name,
                        "label": FIELD_HEADINGS[name],
                        "old": _display(name, old[name], names),
                        "new": _display(name, new[name], names),
                    }
                    for name in changed
                ],
                "values": {
                    name: (new[name].isoformat() if name == "due_date" and new[name] else new[name]) for name in changed
                },
            }
        )
    return entries, errors, unchanged


def _carried_entry(row: SheetRow, now: Current) -> dict:
    return {
        "code": row.code,
        "row": row.row,
        "response_id": now.response_id,
        "file_version": row.values["version"],
        "version": now.version,
        "conflict": False,
        "carried": True,
        "changes": [],
        "values": {},
    }


def values_for_save(values: dict) -> dict:
    """An entry's stored new values as `response_save` takes them."""
    data = dict(values)
    if data.get("due_date"):
        data["due_date"] = datetime.date.fromisoformat(data["due_date"])
    return data


__all__ = [
    "ABOUT_FRAMEWORK",
    "ABOUT_FRAMEWORK_VERSION",
    "ABOUT_KIND",
    "ABOUT_SHEET",
    "ABOUT_SITE",
    "CHECKLIST_HEADER",
    "CHECKLIST_SHEET",
    "KIND_EXPORT",
    "KIND_TEMPLATE",
    "Current",
    "ImportRefused",
    "ParsedFile",
    "Person",
    "RowError",
    "check_file",
    "compare_rows",
    "match_owner",
    "owner_label",
    "read_workbook",
    "values_for_save",
]

"""`manage.py import_checklist SITE FILE --user PERSON [--dry-run] [--overwrite CODE]`: prints every change, old
beside new, then applies them as the person named; any refusal is one line and exit status 2, and writes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from checklists.models import Response
from phb_readiness.audit.models import AuditEvent
from tests.import_support import export_xlsx, set_cells
from tests.partnership_support import answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def first(world):
    return world.assessment_a.responses.select_related("item").order_by("item__section__position", "item__position")[0]


@pytest.fixture
def edited_file(client, world, first, tmp_path):
    client.force_login(world.manager_a)
    path = tmp_path / "site-a.xlsx"
    path.write_bytes(set_cells(export_xlsx(client), first.item.code, Status="In progress", Narrative="From a file."))
    return path


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_checklist", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_dry_run_prints_the_changes_and_writes_nothing(world, first, edited_file):
    out, _ = run("SITE-A", str(edited_file), "--user", "manager-a", "--dry-run")
    assert f"{first.item.code} (row 2)" in out
    assert "  Status: Not started -> In progress" in out and "  Narrative: (empty) -> From a file." in out
    assert "1 item(s) to change, 0 conflict(s)" in out and "Dry run: nothing was written." in out
    first.refresh_from_db()
    assert first.version == 1


def test_the_import_applies_the_changes_as_the_person_named(world, first, edited_file):
    out, _ = run("SITE-A", str(edited_file), "--user", world.contributor_a.email)
    assert "Imported 1 changed item(s) into SITE-A" in out
    first.refresh_from_db()
    assert (first.status, first.narrative, first.updated_by) == ("in_progress", "From a file.", world.contributor_a)
    assert AuditEvent.objects.get(action="checklist.import").actor == world.contributor_a


def test_a_conflict_is_left_alone_unless_named_to_overwrite(world, first, edited_file):
    answer(first, world.contributor_a, status=Response.Status.NOT_IN_PLACE, narrative="Here.")
    out, _ = run("SITE-A", str(edited_file), "--user", "manager-a")
    assert "CONFLICT: changed here since the file was written (version 1 in the file, 2 now); left alone" in out
    first.refresh_from_db()
    assert first.narrative == "Here."
    run("SITE-A", str(edited_file), "--user", "manager-a", "--overwrite", first.item.code)
    first.refresh_from_db()
    assert (first.narrative, first.version) == ("From a file.", 3)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["NO-SUCH", "{file}", "--user", "manager-a"], "There is no site NO-SUCH."),
        (["SITE-A", "{file}", "--user", "rep-a"], "rep-a may not edit SITE-A's answers, so may not import them."),
        (["SITE-A", "{file}", "--user", "nobody"], "There is no active person nobody."),
        (["SITE-A", "/no/such/file.xlsx", "--user", "manager-a"], "Cannot read /no/such/file.xlsx"),
        (["SITE-B", "{file}", "--user", "manager-b"], "This spreadsheet is the checklist of SITE-A, not SITE-B."),
    ],
    ids=["unknown-site", "union-rep", "unknown-person", "missing-file", "another-site"],
)
def test_a_refusal_is_one_line_and_exit_status_2(world, edited_file, args, says):
    with pytest.raises(CommandError) as refusal:
        run(*[a.replace("{file}", str(edited_file)) for a in args])
    assert refusal.value.returncode == 2
    assert says in str(refusal.value) and "\n" not in str(refusal.value)
    assert not Response.objects.filter(version__gt=1).exists()


def test_row_errors_are_printed_and_refused(world, first, tmp_path, client):
    client.force_login(world.manager_a)
    path = tmp_path / "bad.xlsx"
    path.write_bytes(set_cells(export_xlsx(client), first.item.code, Status="Done"))
    with pytest.raises(CommandError) as refusal:
        run("SITE-A", str(path), "--user", "manager-a")
    assert refusal.value.returncode == 2 and "1 problem(s) in bad.xlsx" in str(refusal.value)
    assert not Response.objects.filter(version__gt=1).exists()

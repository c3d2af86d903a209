"""A damaged, incomplete or foreign archive is answered by `manage.py import_site` with one line on stderr and exit
status 2, never a traceback, and nothing is written."""

import os
import zipfile

import pytest
from django.core.management import ManagementUtility
from django.db import connections

from phb_readiness.audit.models import AuditEvent
from phb_readiness.keys import service_key
from phb_readiness.sites.models import PilotSite
from tests.archive_support import empty_database, exported_site, rewrite

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(world, tmp_path):
    path = exported_site(world, tmp_path)
    empty_database()
    return path


def manage(monkeypatch, capsys, *argv: str) -> tuple[int, str]:
    """Run as `manage.py import_site ...` runs (argument parsing, error printing, exit status); the test's database
    connection stays open."""
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "import_site", *argv]).execute()
    return exited.value.code, capsys.readouterr().err


def signed(archive, tmp_path, **changes):
    return rewrite(archive, tmp_path / "changed.zip", signature="sign", sign_with=service_key("archive"), **changes)


def unsigned(archive, tmp_path, **changes):
    return rewrite(archive, tmp_path / "changed.zip", signature="drop", **changes)


def first_file(archive) -> str:
    with zipfile.ZipFile(archive) as z:
        return next(name for name in z.namelist() if name.startswith("files/"))


CASES = {
    "random bytes": (lambda a, t: _write(t / "r.zip", os.urandom(4096)), "This is not a zip file"),
    "half an archive": (lambda a, t: _write(t / "h.zip", a.read_bytes()[: a.stat().st_size // 2]), "not a zip file"),
    "no manifest.json": (lambda a, t: rewrite(a, t / "c.zip", drop=("manifest.json",)), "manifest.json is missing"),
    "no data.json": (lambda a, t: rewrite(a, t / "c.zip", drop=("data.json",)), "data.json is missing"),
    "wrong signature": (
        lambda a, t: rewrite(a, t / "c.zip", signature="sign", sign_with=b"not the key"),
        "signature does not match its manifest",
    ),
    "unreadable signature": (
        lambda a, t: rewrite(a, t / "c.zip", replace={"manifest.sig": b"\xff\xfe"}),
        "signature cannot be read",
    ),
    "manifest.json not JSON": (
        lambda a, t: signed(a, t, replace={"manifest.json": b"{'format': 1"}),
        "manifest.json is not valid JSON",
    ),
    "manifest.json not a manifest": (
        lambda a, t: signed(a, t, replace={"manifest.json": b"[1, 2]"}),
        "This is not a PHB Readiness site archive",
    ),
    "unknown version": (
        lambda a, t: signed(a, t, manifest=lambda m: m.update(version=99)),
        "version 99; this release restores version 2 only",
    ),
    "manifest lacks fields": (
        lambda a, t: signed(a, t, manifest=lambda m: m.pop("files")),
        "manifest lacks fields",
    ),
    "data.json not JSON": (
        lambda a, t: signed(a, t, replace={"data.json": b'{"site": '}),
        "data.json is not valid JSON",
    ),
    "data.json not UTF-8": (
        lambda a, t: signed(a, t, replace={"data.json": b"\xff\xfe\x00{"}),
        "data.json is not valid JSON",
    ),
    "data.json lacks parts": (
        lambda a, t: signed(a, t, data=lambda d: d.pop("responses")),
        "data.json lacks parts",
    ),
    "data.json hash mismatch": (
        lambda a, t: signed(a, t, data=lambda d: d["site"].update(name="Elsewhere"), rehash=False),
        "data.json does not match the SHA-256",
    ),
    "a file missing": (lambda a, t: rewrite(a, t / "c.zip", drop=(first_file(a),)), "is missing from the archive"),
    "a file altered": (
        lambda a, t: rewrite(a, t / "c.zip", replace={first_file(a): b"%PDF-other"}),
        "does not match its SHA-256",
    ),
}


def _write(path, content: bytes):
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_damaged_archive_exits_2_with_one_line(archive, tmp_path, monkeypatch, capsys, case):
    make, reason = CASES[case]
    code, err = manage(monkeypatch, capsys, str(make(archive, tmp_path)))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("CommandError: ") and "Traceback" not in err
    assert reason in err
    assert not PilotSite.objects.exists() and not AuditEvent.objects.exists()


def test_a_damaged_zip_entry_is_reported_not_raised(archive, tmp_path, monkeypatch, capsys):
    """A flipped byte inside a stored entry: zipfile's CRC check fails as the entry is read."""
    stored = tmp_path / "stored.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
    content = bytearray(stored.read_bytes())
    at = content.index(b"%PDF") if b"%PDF" in content else content.index(b'"region"')
    content[at + 2] ^= 0xFF
    code, err = manage(monkeypatch, capsys, str(_write(tmp_path / "flipped.zip", bytes(content))))
    assert code == 2 and err.count("\n") == 1
    assert "The archive is damaged (BadZipFile: Bad CRC-32 for file" in err, err


@pytest.mark.parametrize(
    "edit, reason",
    [
        (lambda d: d["responses"][0].update(assessment=123456), "refers to checklists.Assessment 123456"),
        (lambda d: d["signoffs"][0].update(created_at="yesterday"), "cannot be restored (ValidationError"),
        (lambda d: d["memberships"][0].update(user="nobody"), "refers to the person 'nobody'"),
        (lambda d: d["users"][0].update(username=None), "has no username"),
    ],
    ids=["dangling link", "bad value", "unknown person", "no username"],
)
def test_trusted_unsigned_malformed_rows_exit_2(archive, tmp_path, monkeypatch, capsys, settings, edit, reason):
    before = sorted(p for p in settings.PRIVATE_STORAGE_ROOT.rglob("*") if p.is_file())
    code, err = manage(monkeypatch, capsys, str(unsigned(archive, tmp_path, data=edit)), "--trust-unsigned")
    assert code == 2 and err.count("\n") == 1, err
    assert reason in err
    assert not PilotSite.objects.exists() and not AuditEvent.objects.exists()
    assert sorted(p for p in settings.PRIVATE_STORAGE_ROOT.rglob("*") if p.is_file()) == before


def test_no_such_file(db, tmp_path, monkeypatch, capsys):
    code, err = manage(monkeypatch, capsys, str(tmp_path / "absent.zip"))
    assert code == 2 and err == f"CommandError: No file {tmp_path / 'absent.zip'}.\n"

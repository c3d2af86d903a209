"""export_site writes a complete archive of a site; import_site restores it on an empty database, nothing lost."""

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from checklists.models import Comment, Evidence, Readiness, Response, SignOff
from checklists.services.comments import comment_create, concern_answer
from checklists.services.evidence import evidence_add_file, evidence_add_link, evidence_remove
from checklists.services.readiness import readiness_rebuild
from checklists.services.responses import response_save
from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import audit_verify
from phb_readiness.reports.archive import ArchiveError, site_data, site_export, site_import
from phb_readiness.reports.models import Report
from phb_readiness.sites.models import PilotSite, SiteRole
from tests.archive_support import empty_database

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture
def busy_site(world):
    """Site A with answers, evidence (a file, a link, one removed), a comment, a concern, sign-offs and a report."""
    a = world.assessment_a
    responses = list(a.responses.select_related("item__section").order_by("id")[:3])
    first = responses[0]
    response_save(
        response=first,
        user=world.contributor_a,
        data={"status": Response.Status.IN_PROGRESS, "narrative": "Policy drafted — awaiting staff side."},
        base_version=first.version,
    )
    evidence_add_file(
        response=first,
        user=world.contributor_a,
        uploaded_file=SimpleUploadedFile("policy.pdf", PDF, content_type="application/pdf"),
        title="Draft policy",
    )
    link = evidence_add_link(response=first, user=world.manager_a, url="https://example.nhs.uk/p", title="Intranet")
    evidence_remove(evidence=link, user=world.manager_a)
    comment_create(response=first, user=world.manager_a, role=SiteRole.MANAGER, body="Any views?")
    concern = comment_create(
        response=responses[1], user=world.rep_a, role=SiteRole.UNION_REP, body="Not agreed yet.", is_concern=True
    )
    concern_answer(concern=concern, user=world.manager_a, role=SiteRole.MANAGER, answer="Meeting booked.")
    section = responses[2].item.section
    SignOff.objects.create(
        assessment=a,
        section=section,
        kind=SignOff.Kind.MANAGEMENT,
        signed_by=world.manager_a,
        signer_role=SiteRole.MANAGER,
        statement="Signed for management.",
        content_sha256="a" * 64,
    )
    report = Report(
        kind=Report.Kind.SITE,
        assessment=a,
        site=world.site_a,
        requested_by=world.reviewer,
        state=Report.State.SUCCEEDED,
        sha256=hashlib.sha256(b"%PDF-report").hexdigest(),
        pages=12,
    )
    report.file.save("site-a.pdf", ContentFile(b"%PDF-report"), save=False)
    report.save()
    return world


def normalised(data: dict) -> dict:
    """The archive's data with ids replaced by positions, so two databases' exports can be compared."""
    position = {
        key: {row["id"]: n for n, row in enumerate(rows)}
        for key, rows in data.items()
        if isinstance(rows, list) and rows and "id" in rows[0]
    }
    links = {
        "assessment": "assessments",
        "carried_forward_from": "assessments",
        "response": "responses",
    }
    out = {}
    for key, rows in data.items():
        if isinstance(rows, list):
            rows = [{k: v["sha256"] if k == "file" and v else v for k, v in row.items()} for row in rows]
        if key == "audit_events":
            rows = [
                {k: v for k, v in row.items() if k not in ("id", "prev_hash", "hash", "object_id", "site", "actor_id")}
                for row in rows
                if row["action"] not in ("site.export", "site.import")
            ]
        elif key == "frameworks":
            rows = [{k: v for k, v in row.items() if k not in ("id", "loaded_at", "sections")} for row in rows]
        elif isinstance(rows, list):
            rows = [
                {
                    k: (position[links[k]].get(v) if k in links and links[k] in position else v)
                    for k, v in row.items()
                    if k not in ("id", "site", "item", "section", "framework", "region")
                }
                for row in rows
            ]
        else:
            rows = {k: v for k, v in rows.items() if k not in ("id", "region")}
        out[key] = rows
    return json.loads(json.dumps(out, default=str))


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def file_names(rows: list[dict]) -> list:
    return [row["file"]["sha256"] if row.get("file") else None for row in rows]


def test_round_trip_restores_everything(busy_site, tmp_path, django_user_model):
    site = busy_site.site_a
    before, files_before = site_data(site)
    archive = tmp_path / "site-a.zip"
    call_command("export_site", site.code, str(archive))

    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert manifest["counts"]["responses"] == 61
        assert manifest["counts"]["evidence"] == 2
        assert set(manifest["files"].values()) == {sha(PDF), sha(b"%PDF-report")}
        assert z.read(f"files/{sha(PDF)}") == PDF

    empty_database()
    assert not PilotSite.objects.exists()
    assert not django_user_model.objects.exists()

    call_command("import_site", str(archive))

    restored = PilotSite.objects.get(code=site.code)
    after, files_after = site_data(restored)
    assert normalised(after) == normalised(before)
    assert set(files_after) == set(files_before) == {sha(PDF), sha(b"%PDF-report")}
    for digest, stored in files_after.items():
        with stored.open() as handle:
            assert sha(handle.read()) == digest
    assert file_names(after["evidence"]) == file_names(before["evidence"])
    evidence = Evidence.objects.get(kind=Evidence.Kind.FILE)
    with evidence.file.open("rb") as handle:
        assert handle.read() == PDF
    assert not evidence.file.name.endswith("policy.pdf")  # stored under a new random name, as on upload
    assert Comment.objects.open_concerns().count() == 1
    assert audit_verify().ok
    readiness = Readiness.objects.get(site=restored)
    assert readiness.is_latest and readiness.open_concerns == 1  # stored for the restored assessment
    assert readiness_rebuild(fix=False)[1] == []
    for user in django_user_model.objects.all():
        assert not user.has_usable_password()


def test_an_altered_archive_is_refused(busy_site, tmp_path):
    archive = tmp_path / "site-a.zip"
    call_command("export_site", "SITE-A", str(archive))
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(tampered, "w") as target:
        for member in source.namelist():
            content = source.read(member)
            if member == "data.json":
                content = content.replace(b"Not agreed yet.", b"All agreed.")
            target.writestr(member, content)
    empty_database()
    with pytest.raises(CommandError, match="data.json does not match"):
        call_command("import_site", str(tampered))
    assert not PilotSite.objects.exists()


def test_a_site_that_exists_already_is_not_overwritten(busy_site, tmp_path):
    archive = tmp_path / "site-a.zip"
    call_command("export_site", "SITE-A", str(archive))
    with pytest.raises(CommandError, match="already exists"):
        call_command("import_site", str(archive))


def test_the_framework_already_loaded_is_used(busy_site, tmp_path, framework):
    archive = tmp_path / "site-a.zip"
    call_command("export_site", "SITE-A", str(archive))
    busy_site.assessment_a.refresh_from_db()
    empty_database()
    call_command("load_framework")
    call_command("import_site", str(archive))
    restored = PilotSite.objects.get(code="SITE-A").assessments.get()
    from checklists.models import Framework

    assert Framework.objects.count() == 1
    assert restored.responses.count() == 61


def test_an_unknown_site_code_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="No site with code NOPE"):
        call_command("export_site", "NOPE", str(tmp_path / "x.zip"))


def test_an_evidence_file_changed_in_the_store_stops_the_export(busy_site, tmp_path):
    evidence = Evidence.objects.get(kind=Evidence.Kind.FILE)
    with evidence.file.open("wb") as handle:
        handle.write(b"%PDF-1.4 quietly replaced")
    archive = tmp_path / "site-a.zip"
    with pytest.raises(CommandError, match="no longer matches the SHA-256"):
        call_command("export_site", "SITE-A", str(archive))
    assert not archive.exists()


def test_an_evidence_file_missing_from_the_store_stops_the_export(busy_site, tmp_path):
    Evidence.objects.get(kind=Evidence.Kind.FILE).file.delete(save=False)
    with pytest.raises(CommandError, match="missing from the store"):
        call_command("export_site", "SITE-A", str(tmp_path / "site-a.zip"))


class WriteOnly:
    """A pipe-like sink: write and flush, no seek or tell."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def test_an_archive_streams_to_a_pipe_and_restores_from_a_stream(busy_site, tmp_path):
    sink = WriteOnly()
    counts = site_export(site=busy_site.site_a, path=sink)
    content = b"".join(sink.chunks)
    assert counts["evidence"] == 2 and len(sink.chunks) > 3  # written entry by entry, not in one piece
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert z.testzip() is None
        assert z.read(f"files/{sha(PDF)}") == PDF
    event = AuditEvent.objects.filter(action="site.export").latest("id")
    assert event.after["archive_sha256"] == sha(content)

    empty_database()
    site = site_import(path=io.BytesIO(content)).site
    evidence = Evidence.objects.get(kind=Evidence.Kind.FILE, response__assessment__site=site)
    with evidence.file.open("rb") as handle:
        assert handle.read() == PDF
    assert AuditEvent.objects.get(action="site.import").after["archive_sha256"] == sha(content)


def test_a_failed_restore_leaves_no_files_behind(busy_site, tmp_path, settings, monkeypatch):
    archive = tmp_path / "site-a.zip"
    call_command("export_site", "SITE-A", str(archive))
    empty_database()
    store = Path(settings.PRIVATE_STORAGE_ROOT)
    before = sorted(p for p in store.rglob("*") if p.is_file())

    from phb_readiness.reports import archive as module

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(module, "_restore_audit", broken)
    with pytest.raises(RuntimeError, match="went away"):
        site_import(path=archive)
    assert not PilotSite.objects.exists()
    assert sorted(p for p in store.rglob("*") if p.is_file()) == before


def test_an_archive_with_a_file_entry_altered_is_refused_before_anything_is_stored(busy_site, tmp_path, settings):
    archive = tmp_path / "site-a.zip"
    call_command("export_site", "SITE-A", str(archive))
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(tampered, "w") as target:
        for member in source.namelist():
            content = source.read(member)
            target.writestr(member, content + b"x" if member == f"files/{sha(PDF)}" else content)
    empty_database()
    store = Path(settings.PRIVATE_STORAGE_ROOT)
    before = sorted(p for p in store.rglob("*") if p.is_file())
    with pytest.raises(ArchiveError, match=f"files/{sha(PDF)} does not match its SHA-256"):
        site_import(path=tampered)
    assert sorted(p for p in store.rglob("*") if p.is_file()) == before

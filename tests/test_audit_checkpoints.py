"""Signed checkpoints of the chain's head, in the file store: a chain cut below one, an event differing from one, or
a forged one fails `verify_audit` with a one-line reason; they are written daily, by hand and when a report is
issued, and never overwrite each other."""

import json
from io import StringIO
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from phb_readiness.audit import checkpoints
from phb_readiness.audit.checkpoints import CHECKPOINT_DIR, _signature, audit_checkpoint
from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import audit_record, audit_verify
from phb_readiness.audit.tasks import checkpoint_audit_chain
from phb_readiness.keys import service_key
from phb_readiness.reports import services as report_services
from phb_readiness.reports.models import Report
from tests.audit_support import audit_trigger_disabled_by_owner

pytestmark = pytest.mark.django_db


def record(count: int) -> list[AuditEvent]:
    return [audit_record(action="test.event", summary=f"event {n}") for n in range(count)]


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def stored(name: str) -> dict:
    with default_storage.open(name, "rb") as handle:
        return json.loads(handle.read())


def store_checkpoint(document: dict) -> str:
    return default_storage.save(f"{CHECKPOINT_DIR}/by-hand.json", ContentFile(json.dumps(document).encode()))


def test_a_checkpoint_records_the_head_signed(db):
    events = record(3)
    checkpoint = audit_checkpoint()
    document = stored(checkpoint.name)
    assert checkpoint.name.startswith(f"{CHECKPOINT_DIR}/") and checkpoint.name.endswith(f"-{events[-1].id}.json")
    assert document["head_event_id"] == events[-1].id
    assert document["head_hash"] == AuditEvent.objects.get(pk=events[-1].id).hash
    assert document["event_count"] == AuditEvent.objects.count()
    body = {field: value for field, value in document.items() if field != "signature"}
    assert document["signature"] == _signature(body, service_key("audit"))
    assert "Audit chain intact: 3 events verified, against 1 checkpoints." in verify()


def test_an_empty_chain_has_nothing_to_checkpoint(db):
    assert audit_checkpoint() is None
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert "nothing to checkpoint" in out.getvalue()


def test_checkpoints_never_overwrite_each_other(db):
    record(2)
    names = {audit_checkpoint().name for _ in range(3)}
    assert len(names) == 3
    assert len(default_storage.listdir(CHECKPOINT_DIR)[1]) == 3


def test_the_command_and_the_daily_task_write_one(db):
    record(2)
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert "2 events" in out.getvalue()
    assert checkpoint_audit_chain.delay().get().startswith(f"{CHECKPOINT_DIR}/")
    assert len(default_storage.listdir(CHECKPOINT_DIR)[1]) == 2
    assert (
        settings.CELERY_BEAT_SCHEDULE["audit-checkpoint"]["task"] == checkpoint_audit_chain.name == "audit.checkpoint"
    )


def test_issuing_a_report_writes_a_checkpoint(world, monkeypatch, django_capture_on_commit_callbacks):
    pdf = SimpleNamespace(content=b"%PDF-1.7 stand-in", pages=1, sha256="0" * 64)
    monkeypatch.setattr(report_services, "report_render_pdf", lambda report: (pdf, report.created_at, "1" * 64))
    report = Report.objects.create(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert report_services.report_render(report_id=report.pk).state == Report.State.SUCCEEDED
    (name,) = default_storage.listdir(CHECKPOINT_DIR)[1]
    document = stored(f"{CHECKPOINT_DIR}/{name}")
    assert document["head_event_id"] == AuditEvent.objects.latest("id").id
    assert audit_verify().checkpoints == 1


def test_a_failed_checkpoint_does_not_fail_the_report(world, monkeypatch, django_capture_on_commit_callbacks, caplog):
    pdf = SimpleNamespace(content=b"%PDF-1.7 stand-in", pages=1, sha256="0" * 64)
    monkeypatch.setattr(report_services, "report_render_pdf", lambda report: (pdf, report.created_at, "1" * 64))

    def storage_down() -> None:
        raise OSError("the file store cannot be reached")

    monkeypatch.setattr(checkpoints, "audit_checkpoint", storage_down)
    report = Report.objects.create(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert report_services.report_render(report_id=report.pk).state == Report.State.SUCCEEDED
    assert "the file store cannot be reached" in caplog.text


def test_the_newest_events_cut_below_a_checkpoint_fail(db):
    """The attack: delete the newest 10 events as the owner. The chain left is intact, but shorter than the last
    checkpoint recorded."""
    record(15)
    audit_checkpoint()
    newest = list(AuditEvent.objects.order_by("-id").values_list("id", flat=True)[:10])
    with audit_trigger_disabled_by_owner():
        AuditEvent.objects.filter(id__in=newest).delete()
    report = audit_verify()
    assert report.checked == 5 and not report.ok
    with pytest.raises(CommandError) as error:
        verify()
    message = str(error.value)
    assert message == (
        f"Audit chain fails its checkpoints: the chain holds 5 events, fewer than the 15 up to event {max(newest)} "
        f"that checkpoint {only_checkpoint_name()} recorded: events were removed."
    )
    assert "\n" not in message


def only_checkpoint_name() -> str:
    (name,) = default_storage.listdir(CHECKPOINT_DIR)[1]
    return f"{CHECKPOINT_DIR}/{name}"


def test_a_truncated_trail_fails_against_a_checkpoint(db):
    record(4)
    audit_checkpoint()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the owner's TRUNCATE, which no row trigger sees
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE audit_auditevent")
        else:
            cursor.execute("DELETE FROM audit_auditevent")
    with pytest.raises(CommandError, match="the chain holds 0 events, fewer than the 4"):
        verify()


def test_events_after_the_newest_checkpoint_are_not_covered_by_it(db):
    record(3)
    audit_checkpoint()
    newest = record(2)[-1]
    with audit_trigger_disabled_by_owner():
        AuditEvent.objects.filter(id=newest.id).delete()
    assert "4 events verified, against 1 checkpoints" in verify()


def test_a_checkpoint_whose_event_hash_differs_fails(db):
    events = record(3)
    body = {
        "kind": "phb-audit-checkpoint",
        "version": 1,
        "head_event_id": events[1].id,
        "head_hash": "f" * 64,
        "event_count": 2,
        "created_at": "2026-12-01T00:20:00+00:00",
    }
    name = store_checkpoint({**body, "signature": _signature(body, service_key("audit"))})
    with pytest.raises(CommandError, match=rf"event {events[1].id}'s hash differs from the one checkpoint {name}"):
        verify()


def test_a_forged_checkpoint_fails(db):
    record(3)
    genuine = stored(audit_checkpoint().name)
    # Claiming a longer chain than there is, re-signed with a key that is not the service's.
    body = {field: value for field, value in genuine.items() if field != "signature"} | {"event_count": 30}
    name = store_checkpoint({**body, "signature": _signature(body, b"a guessed key")})
    with pytest.raises(CommandError, match=rf"checkpoint {name} is forged or altered: its signature does not match"):
        verify()


def test_an_edited_checkpoint_fails(db):
    record(2)
    genuine = stored(audit_checkpoint().name)
    name = store_checkpoint({**genuine, "event_count": 1})
    with pytest.raises(CommandError, match=rf"checkpoint {name} is forged or altered"):
        verify()


def test_a_checkpoint_that_is_not_one_fails_clearly(db):
    record(1)
    name = default_storage.save(f"{CHECKPOINT_DIR}/junk.json", ContentFile(b"{not json"))
    with pytest.raises(CommandError, match=rf"checkpoint {name} is not valid JSON"):
        verify()
    default_storage.delete(name)
    name = store_checkpoint({"head_event_id": "1"})
    with pytest.raises(CommandError, match=rf"checkpoint {name} is not a checkpoint of this service"):
        verify()

"""Evidence that lapses: when the date passes a certificate's valid-until date, the daily job (Celery beat, or
`manage.py lapse_evidence`) records the lapse as one audit event naming the site, the evidence stops counting (the
section leaves green, the submission is blocked) and the sign-off over it is superseded. Run twice, it records
nothing more. Time is moved by moving the clock the services read (django.utils.timezone.now)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from checklists.models import Evidence, Rag, Readiness, SignOffState
from checklists.selectors.review import submit_blockers
from checklists.services.readiness import evidence_lapse, readiness_rebuild, readiness_refresh_stale
from checklists.tasks import lapse_evidence
from phb_readiness.audit.models import AuditEvent
from tests.partnership_support import give_evidence, ready_to_submit, response_for

pytestmark = pytest.mark.django_db


class Clock:
    """The service's clock, moved on by whole days."""

    def __init__(self) -> None:
        self.offset = datetime.timedelta()

    def move(self, *, days: int) -> None:
        self.offset += datetime.timedelta(days=days)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock, real_now = Clock(), timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + clock.offset)
    return clock


@pytest.fixture
def certified(world):
    """Site A ready to submit and green, EMP-01's only evidence an insurance certificate valid until today."""
    today = timezone.localdate()
    certificate = give_evidence(
        response_for(world.assessment_a, "EMP-01"),
        world.manager_a,
        dated=today - datetime.timedelta(days=365),
        valid_until=today,
    )
    ready_to_submit(world.assessment_a, manager=world.manager_a, rep=world.rep_a)
    assert (
        Evidence.objects.current()
        .filter(response__item__code="EMP-01", response__assessment=world.assessment_a)
        .count()
        == 1
    )
    assert emp(world).rag == Rag.GREEN
    return certificate


def emp(world):
    return next(s for s in Readiness.objects.get(pk=world.assessment_a.pk).section_figures if s.code == "EMP")


def lapses(world):
    return AuditEvent.objects.filter(action="evidence.lapsed", site=world.site_a)


def test_on_its_last_valid_day_the_evidence_still_counts_and_nothing_lapses(certified, world, clock):
    assert evidence_lapse() == []
    assert not lapses(world).exists() and emp(world).rag == Rag.GREEN


def test_when_the_date_passes_the_job_records_one_lapse_and_the_section_leaves_green(
    certified, world, clock, django_capture_on_commit_callbacks
):
    clock.move(days=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        (lapsed,) = evidence_lapse()
    assert lapsed.pk == certified.pk

    (event,) = lapses(world)
    assert event.object_id == str(certified.pk) and event.actor is None
    assert "EMP-01" in event.summary and "expired on" in event.summary
    certified.refresh_from_db()
    assert certified.lapsed_at is not None and certified.removed_at is None

    section = emp(world)
    assert section.rag == Rag.AMBER and section.unevidenced == 1 and section.in_place == section.applicable - 1
    assert section.signoff == SignOffState.SUPERSEDED
    superseded = AuditEvent.objects.filter(action="signoff.superseded", site=world.site_a)
    assert superseded.count() == 2 and all("expiry of evidence of EMP-01" in e.summary for e in superseded)
    told = [m for m in mail.outbox if m.subject.startswith("Sign-off superseded: Employment issues")]
    assert sorted(a for m in told for a in m.to) == sorted([world.manager_a.email, world.rep_a.email])
    assert [b.item_code for b in submit_blockers(assessment=world.assessment_a) if b.kind == "evidence"] == ["EMP-01"]
    assert Readiness.objects.get(pk=world.assessment_a.pk).as_of == timezone.localdate()

    # Run again (beat's task, then the daily refresh, which runs the lapse job first): nothing more is recorded.
    assert lapse_evidence() == 0
    readiness_refresh_stale()
    assert lapses(world).count() == 1
    assert AuditEvent.objects.filter(action="signoff.superseded", site=world.site_a).count() == 2
    assert readiness_rebuild(fix=False)[1] == []


def test_the_daily_refresh_records_the_lapse_before_it_recounts(certified, world, clock):
    clock.move(days=3)
    readiness_refresh_stale()
    assert lapses(world).count() == 1
    assert AuditEvent.objects.filter(action="signoff.superseded", site=world.site_a).count() == 2
    assert emp(world).rag == Rag.AMBER


def test_the_command_lists_the_lapses_due_and_records_them_once(certified, world, clock):
    clock.move(days=1)
    out = io.StringIO()
    call_command("lapse_evidence", "--dry-run", stdout=out)
    assert "SITE-A EMP-01" in out.getvalue() and "1 lapse of evidence due (dry run" in out.getvalue()
    assert not lapses(world).exists() and emp(world).rag == Rag.GREEN  # stored as of yesterday, not recounted

    call_command("lapse_evidence", stdout=(out := io.StringIO()))
    assert "1 lapse of evidence recorded." in out.getvalue()
    call_command("lapse_evidence", stdout=(out := io.StringIO()))
    assert "0 lapses of evidence recorded." in out.getvalue()
    assert lapses(world).count() == 1


def test_a_save_on_the_day_after_recounts_without_the_expired_evidence(certified, world, clock):
    """The first change of a day recounts the whole assessment, so the expired certificate stops counting even
    before the job runs; the job still records the lapse, once."""
    clock.move(days=1)
    give_evidence(response_for(world.assessment_a, "DEL-01"), world.manager_a, valid_until=None)
    assert emp(world).rag == Rag.AMBER
    evidence_lapse()
    evidence_lapse()
    assert lapses(world).count() == 1


def test_removed_evidence_does_not_lapse(certified, world, clock):
    Evidence.objects.filter(pk=certified.pk).update(removed_at=timezone.now(), removed_by=world.manager_a)
    clock.move(days=1)
    assert evidence_lapse() == []

"""Evidence that counts: an item that expects evidence is in place, for the rating and for submission, only while it
has evidence in force (not removed, not expired). Removing the last of it turns a green section amber, supersedes
the section's sign-off (its signers see the supersession in the trail) and blocks the submission."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from checklists.models import Evidence, Rag, Readiness, SignOffState
from checklists.rules.readiness import RAG_RULE
from checklists.selectors.review import submit_blockers
from checklists.services.assessments import SubmitBlocked, assessment_submit
from checklists.services.evidence import evidence_remove
from checklists.services.readiness import readiness_rebuild
from phb_readiness.audit.models import AuditEvent
from phb_readiness.reports.national import national_report_data
from tests.partnership_support import answer, give_evidence, ready_to_submit, response_for

pytestmark = pytest.mark.django_db


def section(assessment, code: str):
    return next(s for s in Readiness.objects.get(pk=assessment.pk).section_figures if s.code == code)


@pytest.fixture
def ready(world):
    """Site A answered in full, every evidence-expecting item with a link, every section signed by both sides."""
    ready_to_submit(world.assessment_a, manager=world.manager_a, rep=world.rep_a)
    assert section(world.assessment_a, "EMP").rag == Rag.GREEN
    return world.assessment_a


def test_removing_the_last_evidence_turns_the_section_from_green_and_blocks_submission(ready, world):
    emp01 = response_for(ready, "EMP-01")
    assert emp01.item.evidence_expected
    (only,) = Evidence.objects.current().filter(response=emp01)

    evidence_remove(evidence=only, user=world.manager_a)

    emp = section(ready, "EMP")
    assert emp.rag == Rag.AMBER
    assert emp.in_place == emp.applicable - 1 and emp.evidence_missing == 1 and emp.unevidenced == 1
    assert emp.signoff == SignOffState.SUPERSEDED
    superseded = AuditEvent.objects.filter(action="signoff.superseded", site=world.site_a)
    assert superseded.count() == 2  # the management sign-off and the staff-side acknowledgement
    assert all("EMP-01" in event.summary for event in superseded)

    blockers = submit_blockers(assessment=ready)
    evidence = [b for b in blockers if b.kind == "evidence"]
    assert [(b.item_code, b.section_code) for b in evidence] == [("EMP-01", "EMP")]
    assert "EMP-01 is recorded as in place but its evidence is missing or has expired" in evidence[0].message
    with pytest.raises(SubmitBlocked):
        assessment_submit(assessment=ready, user=world.manager_a)
    assert readiness_rebuild(fix=False)[1] == []


def test_an_item_answered_in_place_without_evidence_is_not_in_place(world):
    a = world.assessment_a
    expecting, plain = response_for(a, "EMP-01"), response_for(a, "EMP-12")
    assert expecting.item.evidence_expected and not plain.item.evidence_expected
    answer(expecting, world.manager_a, with_evidence=False)
    answer(plain, world.manager_a, with_evidence=False)
    emp = section(a, "EMP")
    assert emp.in_place == 1, "only the item that expects no evidence is in place"
    assert emp.unevidenced == 1
    readiness = Readiness.objects.get(pk=a.pk)
    assert readiness.unevidenced == 1 and readiness.in_place == 1

    give_evidence(response_for(a, "EMP-01"), world.manager_a)
    assert section(a, "EMP").in_place == 2 and section(a, "EMP").unevidenced == 0


def test_evidence_already_expired_does_not_count_and_valid_until_today_still_does(world):
    a = world.assessment_a
    today = timezone.localdate()
    response = response_for(a, "EMP-01")
    give_evidence(response, world.manager_a, dated=today - datetime.timedelta(days=400), valid_until=today)
    answer(response_for(a, "EMP-01"), world.manager_a, with_evidence=False)
    assert section(a, "EMP").in_place == 1, "valid until today: it still counts today"

    other = response_for(a, "EMP-02")
    yesterday = today - datetime.timedelta(days=1)
    give_evidence(other, world.manager_a, dated=today - datetime.timedelta(days=400), valid_until=yesterday)
    answer(response_for(a, "EMP-02"), world.manager_a, with_evidence=False)
    emp = section(a, "EMP")
    assert emp.in_place == 1 and emp.unevidenced == 1 and emp.evidence_missing >= 1
    assert readiness_rebuild(fix=False)[1] == []


def test_a_submitted_site_in_the_national_report_is_ready_only_by_the_same_rule(ready, world):
    assessment_submit(assessment=ready, user=world.manager_a)
    rows = {row.code: row for block in national_report_data().regions for row in block.rows}
    assert rows["SITE-A"].ready and not submit_blockers(assessment=ready)

    # Written without the services (evidence removed by a data fix), then rebuilt as an operator would.
    emp01 = response_for(ready, "EMP-01")
    Evidence.objects.filter(response=emp01).update(removed_at=timezone.now(), removed_by=world.manager_a)
    readiness_rebuild()
    rows = {row.code: row for block in national_report_data().regions for row in block.rows}
    assert not rows["SITE-A"].ready
    assert "1 item in place without its evidence" in rows["SITE-A"].blockers
    assert any(b.kind == "evidence" for b in submit_blockers(assessment=ready))


def test_the_rag_rule_says_so():
    assert "an item that expects evidence only once it has current evidence" in RAG_RULE
    assert "not removed and not expired" in RAG_RULE

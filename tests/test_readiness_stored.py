"""Stored readiness: every change updates the assessment's Readiness row in its own transaction, so the row always
agrees with a recomputation from the rows (readiness_rebuild finds nothing to fix)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from checklists.models import Assessment, Comment, Rag, Readiness, SignOffState
from checklists.services.comments import comment_create, concern_answer, concern_close
from checklists.services.evidence import evidence_add_link, evidence_remove
from checklists.services.readiness import readiness_rebuild, readiness_refresh_stale
from checklists.services.responses import response_save
from checklists.services.signoffs import signoff_acknowledge, signoff_management
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import answer, first_section, response_for

pytestmark = pytest.mark.django_db


def assert_stored_matches_rows() -> None:
    checked, disagreements = readiness_rebuild(fix=False)
    assert checked >= 1
    assert disagreements == [], disagreements


def stored(assessment: Assessment) -> Readiness:
    return Readiness.objects.get(pk=assessment.pk)


def section_of(readiness: Readiness, code: str):
    return next(s for s in readiness.section_figures if s.code == code)


def test_a_new_assessment_has_its_readiness_stored(world):
    readiness = stored(world.assessment_a)
    assert readiness.total == world.assessment_a.responses.count() > 0
    assert readiness.in_place == 0 and readiness.rag == Rag.AMBER and readiness.is_latest
    assert len(readiness.section_figures) == readiness.section_count > 1
    assert_stored_matches_rows()


def test_each_kind_of_change_keeps_the_stored_row_current(world):
    a = world.assessment_a
    response = response_for(a, "EMP-01")
    section = response.item.section

    answer(response, world.manager_a)
    assert section_of(stored(a), section.code).in_place == 1
    assert_stored_matches_rows()

    response.refresh_from_db()
    response_save(
        response=response,
        user=world.manager_a,
        data={"owner": world.contributor_a, "due_date": timezone.localdate() - datetime.timedelta(days=3)},
        base_version=response.version,
    )
    assert_stored_matches_rows()

    link = evidence_add_link(response=response, user=world.contributor_a, url="https://example.org/policy")
    assert_stored_matches_rows()
    evidence_remove(evidence=link, user=world.manager_a)
    assert_stored_matches_rows()

    concern = comment_create(response=response, user=world.rep_a, role=SiteRole.UNION_REP, body="Who?", is_concern=True)
    assert stored(a).open_concerns == 1 and stored(a).rag == Rag.RED
    assert_stored_matches_rows()
    concern_answer(concern=concern, user=world.manager_a, role=SiteRole.MANAGER, answer="HR.")
    concern_close(concern=Comment.objects.get(pk=concern.pk), user=world.rep_a, role=SiteRole.UNION_REP)
    assert stored(a).open_concerns == 0
    assert_stored_matches_rows()


def test_signing_off_and_changing_signed_content_is_stored(world):
    a = world.assessment_a
    section = first_section(a)
    for response in a.responses.filter(item__section=section).select_related("item"):
        answer(response, world.manager_a)
    signoff_management(assessment=a, section=section, user=world.manager_a, role=SiteRole.MANAGER, statement="Ok.")
    assert section_of(stored(a), section.code).signoff == SignOffState.MANAGEMENT_ONLY
    signoff_acknowledge(assessment=a, section=section, user=world.rep_a, role=SiteRole.UNION_REP, statement="Seen.")
    figures = section_of(stored(a), section.code)
    assert (figures.signoff, figures.rag) == (SignOffState.COMPLETE, Rag.GREEN)
    assert stored(a).sections_signed == 1
    assert_stored_matches_rows()

    response = a.responses.filter(item__section=section).select_related("item").first()
    answer(response, world.manager_a, narrative="Changed after sign-off.")
    assert section_of(stored(a), section.code).signoff == SignOffState.SUPERSEDED
    assert_stored_matches_rows()


def test_the_rebuild_reports_and_mends_a_row_that_disagrees(world):
    Readiness.objects.filter(pk=world.assessment_a.pk).update(in_place=42, rag=Rag.GREEN)
    checked, disagreements = readiness_rebuild(fix=False)
    assert [d.assessment_id for d in disagreements] == [world.assessment_a.pk]
    assert set(disagreements[0].fields) >= {"in_place", "rag"}
    readiness_rebuild()
    assert stored(world.assessment_a).in_place == 0
    assert_stored_matches_rows()


def test_a_missing_row_is_rebuilt(world):
    Readiness.objects.filter(pk=world.assessment_b.pk).delete()
    _, disagreements = readiness_rebuild(fix=False)
    assert [d.assessment_id for d in disagreements] == [world.assessment_b.pk]
    readiness_rebuild()
    assert stored(world.assessment_b).is_latest
    assert_stored_matches_rows()


def test_the_daily_job_counts_items_that_fell_overdue(world):
    a = world.assessment_a
    response = response_for(a, "EMP-01")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response_save(response=response, user=world.manager_a, data={"due_date": tomorrow}, base_version=response.version)
    assert stored(a).overdue == 0
    assert readiness_refresh_stale(today=tomorrow + datetime.timedelta(days=1)) == 2  # both sites' assessments
    assert stored(a).overdue == 1 and stored(a).as_of == tomorrow + datetime.timedelta(days=1)
    assert readiness_refresh_stale(today=tomorrow + datetime.timedelta(days=1)) == 0  # nothing left stale

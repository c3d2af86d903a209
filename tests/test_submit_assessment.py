"""Submitting for review: every blocker listed with a link; only a manager submits, only when nothing blocks it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from checklists.models import Assessment, Comment, Response, SignOff
from checklists.selectors.review import submit_blockers
from checklists.services.readiness import readiness_rebuild
from phb_readiness.audit.models import AuditEvent
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import evidence_rows, stored_sections

pytestmark = pytest.mark.django_db


def _answer_everything(assessment) -> None:
    assessment.responses.update(status=Response.Status.IN_PLACE, narrative="Done and agreed.")
    evidence_rows(assessment, assessment.created_by)


def _sign_off_everything(world, assessment) -> None:
    now = timezone.now()
    for section in stored_sections(assessment):
        for offset, (kind, user, role) in enumerate(
            [
                (SignOff.Kind.MANAGEMENT, world.manager_a, SiteRole.MANAGER),
                (SignOff.Kind.STAFF_SIDE, world.rep_a, SiteRole.UNION_REP),
            ]
        ):
            SignOff.objects.create(
                assessment=assessment,
                section_id=section.section_id,
                kind=kind,
                signed_by=user,
                signer_role=role,
                statement="Signed.",
                content_sha256=section.content_sha256,
                created_at=now + datetime.timedelta(seconds=offset),
            )
    readiness_rebuild()


def _url(world) -> str:
    return reverse("checklists:submit", args=[world.assessment_a.pk])


def test_a_fresh_assessment_lists_every_blocker_with_links(client, world):
    client.force_login(world.manager_a)
    html = client.get(_url(world)).content.decode()
    mandatory = world.assessment_a.responses.filter(item__mandatory=True).count()
    assert f"Mandatory items without an answer ({mandatory})" in html
    assert "Sections without a current sign-off (7)" in html
    assert reverse("checklists:item", args=[world.assessment_a.pk, "EMP-01"]) in html
    assert reverse("checklists:assessment", args=[world.assessment_a.pk]) + "#section-EMP" in html
    assert 'action="' + _url(world) + '"' not in html


def test_open_concerns_block_and_link_to_their_item(client, world):
    _answer_everything(world.assessment_a)
    response = world.assessment_a.responses.get(item__code="EMP-02")
    Comment.objects.create(
        response=response,
        author=world.rep_a,
        author_role=SiteRole.UNION_REP,
        body="Not agreed",
        is_concern=True,
        concern_state=Comment.ConcernState.OPEN,
    )
    kinds = {(b.kind, b.item_code) for b in submit_blockers(assessment=world.assessment_a)}
    assert ("concern", "EMP-02") in kinds and not any(kind == "item" for kind, _ in kinds)


def test_a_superseded_sign_off_blocks(world):
    _answer_everything(world.assessment_a)
    _sign_off_everything(world, world.assessment_a)
    assert submit_blockers(assessment=world.assessment_a) == []
    world.assessment_a.responses.filter(item__code="EMP-01").update(narrative="Changed after signing")
    readiness_rebuild()
    blockers = submit_blockers(assessment=world.assessment_a)
    assert [(b.kind, b.section_code) for b in blockers] == [("signoff", "EMP")]


def test_manager_submits_when_nothing_blocks(client, world):
    _answer_everything(world.assessment_a)
    _sign_off_everything(world, world.assessment_a)
    client.force_login(world.manager_a)
    assert "Ready to submit" in client.get(_url(world)).content.decode()
    page = client.post(_url(world))
    assert page.status_code == 302
    world.assessment_a.refresh_from_db()
    assert world.assessment_a.state == Assessment.State.SUBMITTED and world.assessment_a.submitted_at
    event = AuditEvent.objects.get(action="assessment.submit")
    assert event.before == {"state": "draft"} and event.after["state"] == "submitted"
    assert "submitted for review" in client.get(page.url).content.decode()


def test_submitting_with_blockers_changes_nothing_and_says_why(client, world):
    client.force_login(world.manager_a)
    page = client.post(_url(world))
    html = page.content.decode()
    assert page.status_code == 200 and "The assessment cannot be submitted yet" in html
    assert "<title>Error:" in html
    world.assessment_a.refresh_from_db()
    assert world.assessment_a.state == Assessment.State.DRAFT


def test_a_returned_assessment_can_be_submitted_again(client, world):
    _answer_everything(world.assessment_a)
    _sign_off_everything(world, world.assessment_a)
    Assessment.objects.filter(pk=world.assessment_a.pk).update(state="returned", return_reasons="More evidence")
    client.force_login(world.manager_a)
    client.post(_url(world))
    world.assessment_a.refresh_from_db()
    assert world.assessment_a.state == Assessment.State.SUBMITTED


def test_a_submitted_assessment_cannot_be_submitted_twice(client, world):
    Assessment.objects.filter(pk=world.assessment_a.pk).update(state="submitted")
    client.force_login(world.manager_a)
    page = client.post(_url(world))
    assert page.status_code == 302
    assert AuditEvent.objects.filter(action="assessment.submit").count() == 0


@pytest.mark.parametrize("persona", ["contributor_a", "rep_a", "reviewer"])
def test_only_managers_submit(client, world, persona):
    _answer_everything(world.assessment_a)
    _sign_off_everything(world, world.assessment_a)
    client.force_login(getattr(world, persona))
    page = client.get(_url(world))
    assert page.status_code == 200 and "Submit for review</button>" not in page.content.decode()
    assert client.post(_url(world)).status_code == 403
    world.assessment_a.refresh_from_db()
    assert world.assessment_a.state == Assessment.State.DRAFT


@pytest.mark.parametrize("persona", ["manager_b", "regional_reviewer_other", "outsider"])
def test_other_sites_get_404(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(_url(world)).status_code == 404
    assert client.post(_url(world)).status_code == 404

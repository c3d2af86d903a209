"""Review outcomes: a reviewer accepts a submitted assessment or returns it with reasons; a new round starts from it."""

import pytest
from django.urls import reverse

from checklists.models import Assessment, SignOff
from checklists.services.assessments import assessment_submit
from checklists.services.comments import comment_create
from checklists.services.review import assessment_accept, assessment_return
from phb_readiness.audit.models import AuditEvent
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import answer, first_response, ready_to_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(world):
    a = world.assessment_a
    ready_to_submit(a, manager=world.manager_a, rep=world.rep_a)
    return assessment_submit(assessment=a, user=world.manager_a)


def review_url(assessment):
    return reverse("partnership:review", args=[assessment.pk])


def test_a_reviewer_returns_it_with_reasons_and_it_opens_for_edits(client, world, submitted):
    client.force_login(world.reviewer)
    reply = client.post(
        review_url(submitted), {"action": "return", "reasons": "Attach the indemnity certificate.", "confirm": "yes"}
    )
    assert reply.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == Assessment.State.RETURNED and submitted.is_editable
    assert (submitted.return_reasons, submitted.reviewed_by) == ("Attach the indemnity certificate.", world.reviewer)
    answer(first_response(submitted), world.manager_a, narrative="Certificate attached.")
    client.force_login(world.manager_a)
    assert "Attach the indemnity certificate." in client.get(review_url(submitted)).content.decode()


def test_returning_needs_reasons(client, world, submitted):
    client.force_login(world.reviewer)
    reply = client.post(review_url(submitted), {"action": "return", "reasons": ""})
    assert reply.status_code == 200
    assert "Enter reasons for returning." in reply.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == Assessment.State.SUBMITTED


def test_accepting_freezes_the_assessment_and_records_the_reviewer_sign_off(client, world, submitted):
    client.force_login(world.reviewer)
    client.post(review_url(submitted), {"action": "accept", "note": "Thorough.", "confirm": "yes"})
    submitted.refresh_from_db()
    assert submitted.state == Assessment.State.ACCEPTED and not submitted.is_editable
    acceptance = SignOff.objects.get(kind=SignOff.Kind.REVIEWER)
    assert (acceptance.section, acceptance.signed_by, acceptance.statement) == (None, world.reviewer, "Thorough.")
    assert AuditEvent.objects.filter(action="assessment.accept").exists()

    response = first_response(submitted)
    client.force_login(world.manager_a)
    reply = client.post(
        reverse("checklists:item", args=[submitted.pk, response.item.code]),
        {"status": "not_in_place", "base_version": response.version},
        follow=True,
    )
    response.refresh_from_db()
    assert response.status == "in_place"
    assert "accepted" in reply.content.decode().lower()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("manager_a", 403), ("rep_a", 403), ("contributor_a", 403), ("regional_reviewer_other", 404)],
)
def test_only_a_reviewer_in_scope_records_an_outcome(client, world, submitted, persona, status):
    client.force_login(getattr(world, persona))
    assert client.post(review_url(submitted), {"action": "accept", "confirm": "yes"}).status_code == status
    submitted.refresh_from_db()
    assert submitted.state == Assessment.State.SUBMITTED


def test_a_draft_cannot_be_reviewed(client, world):
    client.force_login(world.reviewer)
    reply = client.post(review_url(world.assessment_a), {"action": "accept"})
    assert "not awaiting review" in reply.content.decode()
    world.assessment_a.refresh_from_db()
    assert world.assessment_a.state == Assessment.State.DRAFT


def test_open_concerns_keep_a_reviewer_from_accepting(client, world, submitted):
    comment_create(
        response=first_response(submitted), user=world.reviewer, role=SiteRole.REVIEWER, body="Query.", is_concern=True
    )
    client.force_login(world.reviewer)
    reply = client.post(review_url(submitted), {"action": "accept"})
    assert "1 open concern(s)" in reply.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == Assessment.State.SUBMITTED


def test_returned_then_resubmitted_then_accepted(world, submitted):
    assessment_return(assessment=submitted, user=world.reviewer, role=SiteRole.REVIEWER, reasons="Fix EMP.")
    answer(first_response(submitted), world.manager_a, narrative="Fixed.")
    from tests.partnership_support import first_section, sign_section

    sign_section(submitted, first_section(submitted), manager=world.manager_a, rep=world.rep_a)
    assessment_submit(assessment=submitted, user=world.manager_a)
    assessment_accept(assessment=submitted, user=world.reviewer, role=SiteRole.REVIEWER)
    submitted.refresh_from_db()
    assert submitted.state == Assessment.State.ACCEPTED


@pytest.mark.parametrize("persona", ["manager_a", "reviewer"])
def test_a_new_round_carries_the_answers_forward(client, world, submitted, persona):
    assessment_accept(assessment=submitted, user=world.reviewer, role=SiteRole.REVIEWER)
    client.force_login(getattr(world, persona))
    assert "Start a new round" in client.get(review_url(submitted)).content.decode()
    reply = client.post(
        reverse("partnership:new_round", args=[submitted.pk]), {"round_label": "Readiness review, 2010/11 Q1"}
    )
    assert reply.status_code == 302
    new = Assessment.objects.get(round_label="Readiness review, 2010/11 Q1")
    assert (new.state, new.carried_forward_from, new.site) == ("draft", submitted, world.site_a)
    assert set(new.responses.values_list("status", flat=True)) == {"in_place"}
    assert not new.signoffs.exists()  # sign-offs are not carried: the new round is reviewed afresh


def test_a_new_round_needs_an_unused_name_and_an_accepted_source(client, world, submitted):
    client.force_login(world.manager_a)
    url = reverse("partnership:new_round", args=[submitted.pk])
    reply = client.post(url, {"round_label": "Next"})
    assert "starts from an accepted assessment" in reply.content.decode()
    assessment_accept(assessment=submitted, user=world.reviewer, role=SiteRole.REVIEWER)
    reply = client.post(url, {"round_label": submitted.round_label})
    assert "already has a round called" in reply.content.decode()
    client.force_login(world.rep_a)
    assert client.post(url, {"round_label": "Other"}).status_code == 403
    assert Assessment.objects.filter(site=world.site_a).count() == 1


def test_the_review_page_runs_a_fixed_number_of_queries(client, world, submitted):
    from tests.partnership_support import queries_for_get

    client.force_login(world.reviewer)
    few = queries_for_get(client, review_url(world.assessment_b))
    assert queries_for_get(client, review_url(submitted)) == few <= 15

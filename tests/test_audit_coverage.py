"""Every change that matters leaves an event in the audit trail: who, when, what, before and after; the chain holds.

One journey through the real services: answer, evidence in and out, comment, concern raised, answered, closed and
reopened, both sign-offs, submission, return, acceptance, a report requested and downloaded, and the people side
(memberships and reviewer scopes granted and removed, an account disabled).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checklists.models import Assessment, Response, ReviewQuery
from checklists.services.assessments import assessment_submit
from checklists.services.comments import comment_create, concern_answer, concern_close, concern_reopen
from checklists.services.evidence import evidence_add_file, evidence_remove
from checklists.services.review import (
    assessment_accept,
    assessment_return,
    review_query_answer,
    review_query_resolve,
)
from checklists.services.signoffs import signoff_acknowledge, signoff_management
from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import audit_verify
from phb_readiness.reports.models import Report
from phb_readiness.reports.services import report_request_site
from phb_readiness.sites.models import Membership, ReviewerScope, SiteRole
from tests.factories import UserFactory
from tests.partnership_support import answer, answer_all, first_response
from tests.review_support import returned_with_queries, submitted, two_codes

pytestmark = pytest.mark.django_db


def last(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).order_by("-id").first()
    assert event is not None, f"no {action} event in the trail"
    return event


def test_the_journey_through_an_assessment_is_all_in_the_trail(world, client):
    a, site = world.assessment_a, world.site_a
    response = first_response(a)
    answer(response, world.contributor_a, status=Response.Status.IN_PROGRESS, narrative="Drafting.")
    event = last("response.update")
    assert (event.actor, event.site, event.object_id) == (world.contributor_a, site, str(response.pk))
    assert event.before["status"] == "not_started" and event.after["status"] == "in_progress"

    evidence = evidence_add_file(
        response=response,
        user=world.contributor_a,
        uploaded_file=SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n%%EOF\n"),
        title="Minutes",
    )
    assert last("evidence.add").after["sha256"] == evidence.sha256
    evidence_remove(evidence=evidence, user=world.manager_a)
    assert last("evidence.remove").actor == world.manager_a

    concern = comment_create(
        response=response, user=world.rep_a, role=SiteRole.UNION_REP, body="Not agreed.", is_concern=True
    )
    assert last("concern.raise").actor == world.rep_a
    concern_answer(concern=concern, user=world.manager_a, role=SiteRole.MANAGER, answer="Agreed now.")
    concern_close(concern=concern, user=world.rep_a, role=SiteRole.UNION_REP)
    concern_reopen(concern=concern, user=world.rep_a, role=SiteRole.UNION_REP)
    concern_close(concern=concern, user=world.rep_a, role=SiteRole.UNION_REP)
    for action in ("concern.answer", "concern.close", "concern.reopen"):
        assert last(action).site == site

    answer_all(a, world.manager_a)
    for section in a.framework.sections.all():
        signoff_management(
            assessment=a, section=section, user=world.manager_a, role=SiteRole.MANAGER, statement="Signed."
        )
        signoff_acknowledge(
            assessment=a, section=section, user=world.rep_a, role=SiteRole.UNION_REP, statement="Acknowledged."
        )
    assert (
        AuditEvent.objects.filter(action__startswith="signoff.", site=site).count() >= 2 * a.framework.sections.count()
    )

    assessment_submit(assessment=a, user=world.manager_a)
    assert last("assessment.submit").after["state"] == Assessment.State.SUBMITTED
    assessment_return(assessment=a, user=world.reviewer, role=SiteRole.REVIEWER, reasons="More on EMP.")
    assert last("assessment.return").actor == world.reviewer
    assessment_submit(assessment=a, user=world.manager_a)
    assessment_accept(assessment=a, user=world.reviewer, role=SiteRole.REVIEWER)
    assert last("assessment.accept").before["state"] == Assessment.State.SUBMITTED

    report, _ = report_request_site(assessment=a, user=world.rep_a)
    assert last("report.request").actor == world.rep_a
    report.refresh_from_db()
    if report.state == Report.State.SUCCEEDED:  # rendered in-process (tasks run eagerly in tests)
        client.force_login(world.rep_a)
        assert client.get(reverse("reports:download", args=[report.pk])).status_code == 200
        assert last("report.download").actor == world.rep_a

    assert AuditEvent.objects.filter(site=site).exclude(actor__isnull=False).exclude(actor_label="system").count() == 0
    assert audit_verify().ok


def test_role_grants_and_removals_are_in_the_trail(world):
    person = UserFactory(username="new-rep")
    membership = Membership.objects.create(user=person, site=world.site_a, role=Membership.Role.UNION_REP)
    event = last("membership.grant")
    assert (event.site, event.after) == (world.site_a, {"username": "new-rep", "role": "union_rep"})
    membership.role = Membership.Role.CONTRIBUTOR
    membership.save()
    assert last("membership.change").before == {"username": "new-rep", "role": "union_rep"}
    membership.delete()
    assert last("membership.remove").before == {"username": "new-rep", "role": "contributor"}

    scope = ReviewerScope.objects.create(user=person)
    assert last("reviewer_scope.grant").after == {"username": "new-rep", "role": "reviewer", "region": None}
    scope.delete()
    assert last("reviewer_scope.remove").before == {"username": "new-rep", "role": "reviewer", "region": None}

    person.is_superuser = True
    person.save()
    assert last("user.privileges").after == {"is_active": True, "is_staff": False, "is_superuser": True}
    assert audit_verify().ok


def test_role_events_read_plainly(world):
    assert AuditEvent.objects.filter(
        action="membership.grant", site=world.site_a, summary="Granted: rep-a as Union rep (staff side)"
    ).exists()


def test_the_review_with_queries_and_an_override_is_all_in_the_trail(world):
    concern = comment_create(
        response=first_response(world.assessment_a),
        user=world.rep_a,
        role=SiteRole.UNION_REP,
        body="No.",
        is_concern=True,
    )
    concern_close(concern=concern, user=world.reviewer, role=SiteRole.REVIEWER, reason="Settled at the forum.")
    assert last("concern.close").after["reason"] == "Settled at the forum."

    a = returned_with_queries(world, two_codes(world.assessment_a))
    assert len(last("assessment.return").after["queries"]) == 2
    kept, resolved = ReviewQuery.objects.filter(assessment=a).order_by("id")
    for query in (kept, resolved):
        review_query_answer(query=query, user=world.manager_a, role=SiteRole.MANAGER, answer="Done.")
    assert last("review_query.answer").after == {"state": "answered", "answer": "Done."}
    assessment_submit(assessment=a, user=world.manager_a)
    assert last("assessment.submit").before["state"] == Assessment.State.RETURNED
    review_query_resolve(query=resolved, user=world.reviewer, role=SiteRole.REVIEWER)
    review_query_resolve(query=kept, user=world.reviewer, role=SiteRole.REVIEWER, resolved=False)
    assert (last("review_query.resolve").actor, last("review_query.keep_open").after) == (
        world.reviewer,
        {"state": "open"},
    )
    for action in ("concern.close", "assessment.return", "review_query.answer", "review_query.resolve"):
        assert last(action).site == world.site_a
    assert audit_verify().ok


def test_an_override_is_in_the_trail(world):
    a = submitted(world, red=True)
    assessment_accept(
        assessment=a, user=world.reviewer, role=SiteRole.REVIEWER, override_reasons="Agreed in principle."
    )
    event = last("assessment.override")
    assert (event.site, event.before, event.after["reasons"]) == (world.site_a, {"rag": "red"}, "Agreed in principle.")
    assert last("assessment.accept").id > event.id

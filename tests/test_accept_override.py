"""Accepting over a RED rating: refused without an override; with the reviewer's reasons it is recorded as an
override before the acceptance, shown on the review page, in the site report's history and in the audit trail."""

import pytest
from django.core.exceptions import PermissionDenied

from checklists.models import Assessment, ReviewEvent
from checklists.services.checks import PartnershipError
from checklists.services.review import assessment_accept
from phb_readiness.audit.models import AuditEvent
from phb_readiness.reports.selectors import site_report_data
from phb_readiness.sites.models import SiteRole
from tests.review_support import review_url, submitted

pytestmark = pytest.mark.django_db


def test_accepting_a_red_assessment_without_an_override_is_refused(world):
    a = submitted(world, red=True)
    assert a.readiness.rag == "red"
    with pytest.raises(PartnershipError, match="The rating is RED"):
        assessment_accept(assessment=a, user=world.reviewer, role=SiteRole.REVIEWER, note="Fine.")
    a.refresh_from_db()
    assert a.state == Assessment.State.SUBMITTED
    assert not ReviewEvent.objects.filter(kind__in=["override", "accepted"]).exists()


def test_the_review_page_refuses_it_too_and_says_what_to_give(client, world):
    a = submitted(world, red=True)
    client.force_login(world.reviewer)
    page = client.get(review_url(a)).content.decode()
    assert "You can accept only by recording an override" in page
    reply = client.post(review_url(a), {"action": "accept", "note": "Fine.", "confirm": "yes"})
    body = reply.content.decode()
    assert reply.status_code == 200 and "<title>Error: " in body
    assert "Enter your reasons for accepting over a RED rating" in body
    a.refresh_from_db()
    assert a.state == Assessment.State.SUBMITTED


def test_an_override_with_reasons_accepts_and_is_shown_everywhere(client, world):
    a = submitted(world, red=True)
    client.force_login(world.reviewer)
    reasons = "The pensions policy is agreed in principle; the minutes follow."
    confirm = client.post(review_url(a), {"action": "accept", "override_reasons": reasons, "note": "Agreed."})
    assert "Override of a RED rating" in confirm.content.decode()  # the confirmation step names it
    a.refresh_from_db()
    assert a.state == Assessment.State.SUBMITTED
    reply = client.post(
        review_url(a), {"action": "accept", "override_reasons": reasons, "note": "Agreed.", "confirm": "yes"}
    )
    assert reply.status_code == 302
    a.refresh_from_db()
    assert a.state == Assessment.State.ACCEPTED

    kinds = list(ReviewEvent.objects.filter(assessment=a).values_list("kind", "reasons", "rag"))
    assert kinds[-2:] == [("override", reasons, "red"), ("accepted", "Agreed.", "red")]
    page = client.get(review_url(a)).content.decode()
    assert "Accepted over a RED rating" in page and reasons in page
    assert 'id="acceptance-note"' in page and "Agreed." in page

    history = [step.text for step in site_report_data(a).history]
    assert f"Accepted over a RED rating by {world.reviewer.get_full_name() or 'reviewer'}, with reasons: {reasons}" in (
        history
    )
    event = AuditEvent.objects.get(action="assessment.override")
    assert (event.actor, event.site, event.after["reasons"]) == (world.reviewer, world.site_a, reasons)


def test_no_override_is_recorded_when_the_rating_is_not_red(world):
    a = submitted(world)
    assert a.readiness.rag != "red"
    assessment_accept(assessment=a, user=world.reviewer, role=SiteRole.REVIEWER, override_reasons="Not needed.")
    assert list(ReviewEvent.objects.filter(assessment=a).values_list("kind", flat=True)) == ["submitted", "accepted"]


def test_only_a_reviewer_overrides(world):
    a = submitted(world, red=True)
    with pytest.raises(PermissionDenied):
        assessment_accept(assessment=a, user=world.manager_a, role=SiteRole.MANAGER, override_reasons="Mine.")

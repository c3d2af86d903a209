"""Closing someone else's concern takes a reason: the raiser sees it on the concern and is sent it. The raiser
closes their own concern with one button, no reason asked."""

import pytest
from django.core import mail
from django.urls import reverse

from checklists.models import Comment
from checklists.services.checks import PartnershipError
from checklists.services.comments import comment_create, concern_close
from phb_readiness.audit.models import AuditEvent
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import first_response

pytestmark = pytest.mark.django_db


def raise_concern(world) -> Comment:
    return comment_create(
        response=first_response(world.assessment_a),
        user=world.rep_a,
        role=SiteRole.UNION_REP,
        body="Is the pensions policy agreed with the staff side?",
        is_concern=True,
    )


def close_url(concern: Comment) -> str:
    return reverse("partnership:concern_close", args=[concern.response.assessment_id, concern.pk])


def item_url(concern: Comment) -> str:
    return reverse("checklists:item", args=[concern.response.assessment_id, concern.response.item.code])


def test_a_reviewer_cannot_close_a_reps_concern_without_a_reason(world):
    concern = raise_concern(world)
    with pytest.raises(PartnershipError, match="Enter your reason"):
        concern_close(concern=concern, user=world.reviewer, role=SiteRole.REVIEWER)
    concern.refresh_from_db()
    assert concern.concern_state == Comment.ConcernState.OPEN


def test_the_close_page_asks_for_the_reason(client, world):
    concern = raise_concern(world)
    client.force_login(world.reviewer)
    item_page = client.get(item_url(concern)).content.decode()
    assert "Close concern, with a reason" in item_page and close_url(concern) in item_page
    assert "Reason for closing" in client.get(close_url(concern)).content.decode()
    reply = client.post(close_url(concern), {"reason": ""})
    body = reply.content.decode()
    assert reply.status_code == 200 and "<title>Error: " in body and "Enter reason for closing." in body
    concern.refresh_from_db()
    assert concern.concern_state == Comment.ConcernState.OPEN


def test_the_rep_sees_the_reason_and_is_told(client, world, django_capture_on_commit_callbacks):
    concern = raise_concern(world)
    mail.outbox.clear()
    client.force_login(world.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post(close_url(concern), {"reason": "The policy was agreed at the March forum."})
    assert reply.status_code == 302
    concern.refresh_from_db()
    assert (concern.concern_state, concern.closed_by, concern.close_reason) == (
        "closed",
        world.reviewer,
        "The policy was agreed at the March forum.",
    )
    to_rep = [m for m in mail.outbox if m.to == [world.rep_a.email]]
    assert len(to_rep) == 1 and "Your concern on" in to_rep[0].subject
    assert "The policy was agreed at the March forum." in to_rep[0].body

    client.force_login(world.rep_a)
    page = client.get(item_url(concern)).content.decode()
    assert "Reason for closing" in page and "The policy was agreed at the March forum." in page
    event = AuditEvent.objects.filter(action="concern.close").latest("id")
    assert (event.actor, event.after["reason"]) == (world.reviewer, "The policy was agreed at the March forum.")


def test_the_raiser_closes_their_own_concern_without_a_reason(client, world, django_capture_on_commit_callbacks):
    concern = raise_concern(world)
    mail.outbox.clear()
    client.force_login(world.rep_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(close_url(concern)).status_code == 302
    concern.refresh_from_db()
    assert (concern.concern_state, concern.close_reason) == ("closed", "")
    assert not [m for m in mail.outbox if m.to == [world.rep_a.email]]  # nobody tells the raiser what they did

"""Concerns: raised by a rep or reviewer, answered by a manager, closed or reopened by the raiser (or a reviewer)."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from checklists.models import Comment
from checklists.services.comments import comment_create, concern_close
from phb_readiness.audit.models import AuditEvent
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import first_response, queries_for_get

pytestmark = pytest.mark.django_db


def raise_concern(world, user=None, role=SiteRole.UNION_REP, body="Pensions not confirmed."):
    return comment_create(
        response=first_response(world.assessment_a), user=user or world.rep_a, role=role, body=body, is_concern=True
    )


def action_url(concern, action):
    return reverse(f"partnership:concern_{action}", args=[concern.response.assessment_id, concern.pk])


@pytest.mark.parametrize("persona", ["rep_a", "reviewer"])
def test_a_rep_or_reviewer_raises_a_concern(client, world, persona):
    response = first_response(world.assessment_a)
    client.force_login(getattr(world, persona))
    url = reverse("partnership:concern_create", args=[world.assessment_a.pk, response.item.code])
    assert client.post(url, {"body": "Staff not consulted."}).status_code == 302
    concern = Comment.objects.get()
    assert (concern.is_concern, concern.concern_state) == (True, Comment.ConcernState.OPEN)
    assert AuditEvent.objects.filter(action="concern.raise", object_id=str(concern.pk)).exists()


@pytest.mark.parametrize("persona", ["manager_a", "contributor_a"])
def test_managers_and_contributors_cannot_raise_concerns(client, world, persona):
    response = first_response(world.assessment_a)
    client.force_login(getattr(world, persona))
    url = reverse("partnership:concern_create", args=[world.assessment_a.pk, response.item.code])
    assert client.post(url, {"body": "Hmm."}).status_code == 403
    assert not Comment.objects.exists()


def test_the_full_cycle_answer_close_reopen(client, world):
    concern = raise_concern(world)
    client.force_login(world.manager_a)
    assert client.post(action_url(concern, "answer"), {"answer": "Letters sent on 3 May."}).status_code == 302
    concern.refresh_from_db()
    assert (concern.concern_state, concern.answer, concern.answered_by) == (
        "answered",
        "Letters sent on 3 May.",
        world.manager_a,
    )

    client.force_login(world.rep_a)
    assert client.post(action_url(concern, "close")).status_code == 302
    concern.refresh_from_db()
    assert (concern.concern_state, concern.closed_by) == ("closed", world.rep_a)

    assert client.post(action_url(concern, "reopen")).status_code == 302
    concern.refresh_from_db()
    assert (concern.concern_state, concern.closed_by) == ("open", None)
    actions = list(AuditEvent.objects.filter(object_type="checklists.comment").values_list("action", flat=True))
    assert actions == ["concern.raise", "concern.answer", "concern.close", "concern.reopen"]


def test_an_answer_needs_a_resolution_note(client, world):
    concern = raise_concern(world)
    client.force_login(world.manager_a)
    reply = client.post(action_url(concern, "answer"), {"answer": ""})
    assert reply.status_code == 200
    assert "Enter resolution note." in reply.content.decode()
    concern.refresh_from_db()
    assert concern.concern_state == "open"


@pytest.mark.parametrize(
    ("persona", "status"), [("rep_a", 403), ("contributor_a", 403), ("reviewer", 403), ("outsider", 404)]
)
def test_only_a_manager_answers(client, world, persona, status):
    concern = raise_concern(world)
    client.force_login(getattr(world, persona))
    assert client.post(action_url(concern, "answer"), {"answer": "Done."}).status_code == status
    concern.refresh_from_db()
    assert concern.concern_state == "open"


@pytest.mark.parametrize(("persona", "status"), [("manager_a", 403), ("contributor_a", 403), ("manager_b", 404)])
def test_only_the_raiser_or_a_reviewer_closes(client, world, persona, status):
    concern = raise_concern(world)
    client.force_login(getattr(world, persona))
    assert client.post(action_url(concern, "close")).status_code == status
    concern.refresh_from_db()
    assert concern.concern_state == "open"


def test_a_reviewer_may_close_a_reps_concern(client, world):
    concern = raise_concern(world)
    client.force_login(world.reviewer)
    client.post(action_url(concern, "close"), {"reason": "Answered by the new policy."})
    concern.refresh_from_db()
    assert (concern.concern_state, concern.close_reason) == ("closed", "Answered by the new policy.")


def test_closing_twice_is_refused_with_a_message(client, world):
    concern = raise_concern(world)
    client.force_login(world.rep_a)
    client.post(action_url(concern, "close"))
    reply = client.post(action_url(concern, "close"))
    assert [str(m) for m in get_messages(reply.wsgi_request)][-1] == "This concern is already closed."


def test_the_item_panel_offers_each_person_their_actions(client, world):
    concern = raise_concern(world)
    url = reverse("checklists:item", args=[world.assessment_a.pk, concern.response.item.code])
    client.force_login(world.manager_a)
    page = client.get(url).content.decode()
    assert action_url(concern, "answer") in page and action_url(concern, "close") not in page
    assert "Concern: Open" in page
    client.force_login(world.contributor_a)
    page = client.get(url).content.decode()
    assert action_url(concern, "answer") not in page and action_url(concern, "close") not in page


def test_the_site_concerns_list_shows_open_concerns_oldest_first_with_their_age(client, world):
    old = raise_concern(world, body="Old concern")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=9))
    raise_concern(world, body="New concern")
    closed = raise_concern(world, body="Closed concern")
    concern_close(concern=closed, user=world.rep_a, role=SiteRole.UNION_REP)
    client.force_login(world.rep_a)
    page = client.get(reverse("partnership:concerns", args=[world.site_a.code])).content.decode()
    assert page.index("Old concern") < page.index("New concern")
    assert "Closed concern" not in page
    assert "1\xa0week, 2\xa0days" in page
    page = client.get(reverse("partnership:concerns", args=[world.site_a.code]) + "?show=all").content.decode()
    assert "Closed concern" in page


@pytest.mark.parametrize("persona", ["outsider", "manager_b", "regional_reviewer_other"])
def test_the_concerns_list_of_another_site_is_not_found(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("partnership:concerns", args=[world.site_a.code])).status_code == 404


def test_the_concerns_list_runs_a_fixed_number_of_queries(client, world):
    client.force_login(world.rep_a)
    url = reverse("partnership:concerns", args=[world.site_a.code])
    raise_concern(world)
    few = queries_for_get(client, url)
    for n in range(20):
        raise_concern(world, body=f"Concern {n}")
    assert queries_for_get(client, url) == few <= 10

"""Comments on an item: who may comment, how they show (author, role, safe links), and bad input."""

import pytest
from django.urls import reverse

from checklists.models import Assessment, Comment
from tests.partnership_support import first_response

pytestmark = pytest.mark.django_db


def comment_url(assessment, response, kind="comment_create"):
    return reverse(f"partnership:{kind}", args=[assessment.pk, response.item.code])


def item_url(assessment, response):
    return reverse("checklists:item", args=[assessment.pk, response.item.code])


@pytest.mark.parametrize("persona", ["manager_a", "contributor_a", "rep_a", "reviewer"])
def test_anyone_who_works_on_or_reviews_the_site_can_comment(client, world, persona):
    user = getattr(world, persona)
    response = first_response(world.assessment_a)
    client.force_login(user)
    reply = client.post(comment_url(world.assessment_a, response), {"body": "Who owns this?"})
    assert reply.status_code == 302
    assert reply["Location"].startswith(item_url(world.assessment_a, response))
    comment = Comment.objects.get(response=response)
    assert (comment.author, comment.is_concern, comment.concern_state) == (user, False, "")
    assert comment.author_role == {"manager_a": "manager", "contributor_a": "contributor", "rep_a": "union_rep"}.get(
        persona, "reviewer"
    )


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("manager_b", 404), ("admin", 403)])
def test_outsiders_cannot_comment(client, world, persona, status):
    response = first_response(world.assessment_a)
    client.force_login(getattr(world, persona))
    assert client.post(comment_url(world.assessment_a, response), {"body": "Hello"}).status_code == status
    assert not Comment.objects.exists()


def test_an_empty_comment_gets_a_clear_error_and_nothing_is_saved(client, world):
    response = first_response(world.assessment_a)
    client.force_login(world.contributor_a)
    reply = client.post(comment_url(world.assessment_a, response), {"body": "   "})
    assert reply.status_code == 200
    assert "Enter comment." in reply.content.decode() or "Enter a comment" in reply.content.decode()
    assert not Comment.objects.exists()


def test_a_long_comment_is_refused_with_the_text_kept(client, world):
    response = first_response(world.assessment_a)
    client.force_login(world.contributor_a)
    body = "x" * 5001
    reply = client.post(comment_url(world.assessment_a, response), {"body": body})
    assert reply.status_code == 200
    assert body in reply.content.decode()
    assert not Comment.objects.exists()


def test_comments_show_author_role_and_safe_links(client, world):
    response = first_response(world.assessment_a)
    client.force_login(world.rep_a)
    client.post(
        comment_url(world.assessment_a, response),
        {"body": 'See https://example.org/policy?a=1&b=2 <script>alert("x")</script> javascript:alert(1)'},
    )
    client.force_login(world.manager_a)
    page = client.get(item_url(world.assessment_a, response)).content.decode()
    assert world.rep_a.get_full_name() in page
    assert "Union rep (staff side)" in page
    assert '<a href="https://example.org/policy?a=1&amp;b=2" rel="nofollow noopener">' in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page


def test_comments_are_refused_once_the_assessment_is_accepted(client, world):
    response = first_response(world.assessment_a)
    Assessment.objects.filter(pk=world.assessment_a.pk).update(state=Assessment.State.ACCEPTED)
    client.force_login(world.manager_a)
    reply = client.post(comment_url(world.assessment_a, response), {"body": "Late thought"})
    assert reply.status_code == 200
    assert "accepted and is frozen" in reply.content.decode()
    assert not Comment.objects.exists()


def test_a_rep_cannot_edit_a_response(client, world):
    response = first_response(world.assessment_a)
    client.force_login(world.rep_a)
    reply = client.post(item_url(world.assessment_a, response), {"status": "in_place", "base_version": 1})
    assert reply.status_code == 403
    response.refresh_from_db()
    assert response.status == "not_started"

"""Accept and return ask for confirmation first, on a page of its own that works without JavaScript: nothing is
recorded until the reviewer confirms; going back keeps what they wrote."""

import pytest

from checklists.models import Assessment, ReviewEvent
from tests.review_support import review_url, submitted

pytestmark = pytest.mark.django_db


def test_accepting_is_confirmed_first_and_said_to_be_final(client, world):
    a = submitted(world)
    client.force_login(world.reviewer)
    assert "Accepting is final" in client.get(review_url(a)).content.decode()
    confirm = client.post(review_url(a), {"action": "accept", "note": "Thorough work."})
    body = confirm.content.decode()
    assert confirm.status_code == 200 and "Accept this assessment?" in body and "Accepting is final." in body
    assert '<input type="hidden" name="note" value="Thorough work.">' in body
    a.refresh_from_db()
    assert a.state == Assessment.State.SUBMITTED and not ReviewEvent.objects.filter(kind="accepted").exists()
    assert (
        client.post(review_url(a), {"action": "accept", "note": "Thorough work.", "confirm": "yes"}).status_code == 302
    )
    a.refresh_from_db()
    assert a.state == Assessment.State.ACCEPTED


def test_going_back_from_the_return_confirmation_keeps_what_was_written(client, world):
    a = submitted(world)
    client.force_login(world.reviewer)
    data = {"action": "return", "reasons": "More on EMP.", "query-EMP-01": "Where are the minutes?"}
    assert "Return this assessment to the site?" in client.post(review_url(a), data).content.decode()
    back = client.post(review_url(a), {**data, "change": "yes"}).content.decode()
    assert "More on EMP." in back and "Where are the minutes?" in back
    assert 'id="queries-EMP" open' in back  # the section holding a query is shown open
    a.refresh_from_db()
    assert a.state == Assessment.State.SUBMITTED

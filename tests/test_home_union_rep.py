"""The home page of union reps: sign-offs awaiting their acknowledgement, their answered concerns to close, and
what changed at the site since they last looked at its activity."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from checklists.models import Response, SiteVisit
from checklists.services.comments import comment_create, concern_answer
from checklists.services.signoffs import signoff_management
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import answer, first_section, response_for

pytestmark = pytest.mark.django_db


def home(client, user) -> str:
    client.force_login(user)
    reply = client.get(reverse("home"))
    assert reply.status_code == 200
    return reply.content.decode()


def test_a_management_sign_off_waits_for_the_acknowledgement(client, world):
    a, section = world.assessment_a, first_section(world.assessment_a)
    signoff_management(assessment=a, section=section, user=world.manager_a, role=SiteRole.MANAGER, statement="Done.")
    page = home(client, world.rep_a)
    assert f"Acknowledge or decline the sign-off of {section.title}" in page
    assert f'href="{reverse("partnership:signoff", args=[a.pk, section.code])}"' in page
    assert "Acknowledge or decline" not in home(client, world.manager_a)


def test_an_answered_concern_waits_for_its_raiser_to_close_it(client, world):
    response = response_for(world.assessment_a, "EMP-03")
    concern = comment_create(
        response=response, user=world.rep_a, role=SiteRole.UNION_REP, body="Was this agreed?", is_concern=True
    )
    assert "Close or reopen your concern" not in home(client, world.rep_a)  # open: the manager's turn
    concern_answer(concern=concern, user=world.manager_a, role=SiteRole.MANAGER, answer="Yes, at the forum.")
    page = home(client, world.rep_a)
    assert "Close or reopen your concern on EMP-03" in page
    url = reverse("checklists:item", args=[world.assessment_a.pk, "EMP-03"])
    assert f'href="{url}#comment-{concern.pk}"' in page


def test_changes_since_my_last_visit_to_the_activity_page(client, world):
    activity = reverse("partnership:activity", args=[world.site_a.code])
    answer(response_for(world.assessment_a, "EMP-01"), world.manager_a)
    page = home(client, world.rep_a)
    assert "See what has changed at the site" in page and f'href="{activity}"' in page
    assert re.search(r"\d+ changes? by others: you have not opened the site&#x27;s activity yet", page)

    client.get(activity)  # looking at the activity records the visit
    assert SiteVisit.objects.filter(user=world.rep_a, site=world.site_a).exists()
    page = home(client, world.rep_a)
    assert "since your last visit" not in page and "See what has changed" not in page

    for code, person in (("EMP-02", world.manager_a), ("EMP-03", world.contributor_a), ("EMP-04", world.manager_a)):
        answer(response_for(world.assessment_a, code), person, status=Response.Status.IN_PROGRESS)
    assert "3 changes since your last visit" in home(client, world.rep_a)


def test_the_reps_own_changes_do_not_count(client, world):
    SiteVisit.objects.create(user=world.rep_a, site=world.site_a, last_seen_at=timezone.now())
    comment_create(
        response=response_for(world.assessment_a, "EMP-03"),
        user=world.rep_a,
        role=SiteRole.UNION_REP,
        body="A note.",
    )
    assert "since your last visit" not in home(client, world.rep_a)

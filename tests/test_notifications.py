"""E-mail notifications: each workflow step tells the right people, after the commit, unless they switched it off."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from checklists.models import NotificationPreference
from checklists.services.assessments import assessment_submit
from checklists.services.comments import comment_create, concern_answer, concern_close
from checklists.services.review import assessment_accept, assessment_return
from checklists.services.signoffs import signoff_acknowledge, signoff_management
from phb_readiness.sites.models import Membership, SiteRole
from tests.factories import MembershipFactory
from tests.partnership_support import first_response, first_section, ready_to_submit

pytestmark = pytest.mark.django_db


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def raise_concern(world):
    return comment_create(
        response=first_response(world.assessment_a),
        user=world.rep_a,
        role=SiteRole.UNION_REP,
        body="Pensions?",
        is_concern=True,
    )


def test_concern_raised_answered_and_closed(world, django_capture_on_commit_callbacks):
    second_manager = MembershipFactory(site=world.site_a, role=Membership.Role.MANAGER).user
    with django_capture_on_commit_callbacks(execute=True):
        concern = raise_concern(world)
    assert recipients() == sorted([world.manager_a.email, second_manager.email])
    assert mail.outbox[0].subject.startswith("Concern raised on ")
    assert "Pensions?" in mail.outbox[0].body
    assert f"/assessments/{world.assessment_a.pk}/items/{concern.response.item.code}/" in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        concern_answer(concern=concern, user=world.manager_a, role=SiteRole.MANAGER, answer="Confirmed.")
    assert recipients() == [world.rep_a.email]
    assert "Confirmed." in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        concern_close(concern=concern, user=world.rep_a, role=SiteRole.UNION_REP)
    assert recipients() == sorted([world.manager_a.email, second_manager.email])
    assert mail.outbox[0].subject.startswith("Concern closed")


def test_sign_off_requested_and_given(world, django_capture_on_commit_callbacks):
    a, section = world.assessment_a, first_section(world.assessment_a)
    with django_capture_on_commit_callbacks(execute=True):
        signoff_management(assessment=a, section=section, user=world.manager_a, role=SiteRole.MANAGER, statement="S")
    assert recipients() == [world.rep_a.email]
    assert "acknowledge" in mail.outbox[0].subject.lower()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        signoff_acknowledge(assessment=a, section=section, user=world.rep_a, role=SiteRole.UNION_REP, statement="OK")
    assert recipients() == [world.manager_a.email]


def test_submitted_returned_and_accepted(world, django_capture_on_commit_callbacks):
    a = world.assessment_a
    ready_to_submit(a, manager=world.manager_a, rep=world.rep_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=a, user=world.manager_a)
    # reviewers in scope: the national one; the London reviewer does not cover a North West site
    assert recipients() == [world.reviewer.email]
    assert mail.outbox[0].subject.startswith("Submitted for review")

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assessment_return(assessment=a, user=world.reviewer, role=SiteRole.REVIEWER, reasons="Missing X.")
    assert recipients() == sorted([world.manager_a.email, world.rep_a.email])
    assert "Missing X." in mail.outbox[0].body

    a.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=a, user=world.manager_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assessment_accept(assessment=a, user=world.reviewer, role=SiteRole.REVIEWER)
    assert recipients() == sorted([world.manager_a.email, world.rep_a.email])
    assert mail.outbox[0].subject.startswith("Accepted")


def test_nothing_is_sent_when_the_transaction_rolls_back(world, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                raise_concern(world)
                raise RuntimeError("later step failed")
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == []


def test_a_person_switches_a_category_off(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.manager_a)
    page = client.get(reverse("partnership:preferences")).content.decode()
    assert len(re.findall(r'value="immediate"\s+checked', page)) == len(NotificationPreference.Category)
    choices = dict.fromkeys(NotificationPreference.Category.values, "immediate") | {"concerns": "none"}
    reply = client.post(reverse("partnership:preferences"), choices)
    assert reply.status_code == 302
    assert dict(
        NotificationPreference.objects.filter(user=world.manager_a)
        .exclude(frequency="immediate")
        .values_list("category", "frequency")
    ) == {"concerns": "none"}
    with django_capture_on_commit_callbacks(execute=True):
        raise_concern(world)
    assert mail.outbox == []
    page = client.get(reverse("partnership:preferences")).content.decode()
    assert re.search(r'name="concerns"[^>]+value="none"\s+checked', page)

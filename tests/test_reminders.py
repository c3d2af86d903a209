"""Reminders: each kind reaches the right people once, with links to the page and to the e-mail settings."""

import pytest
from django.core import mail
from django.urls import reverse

from phb_readiness.inbox.models import InboxMessage
from tests.factories import MembershipFactory, ReviewerScopeFactory
from tests.reminders_support import (
    concern_waiting,
    days,
    evidence_expiring,
    inbox_of,
    mailed_to,
    owned_item,
    run_job,
    signoff_waiting,
    submission_waiting,
    today,
)

pytestmark = pytest.mark.django_db


def test_an_item_due_in_seven_days_reminds_its_owner(world, django_capture_on_commit_callbacks, settings):
    response = owned_item(world.assessment_a, world.contributor_a, today() + days(7))
    run_job(django_capture_on_commit_callbacks)
    assert mailed_to(world.contributor_a) == [f"Due in 7 days: {response.item.code} at {world.site_a.name}"]
    body = mail.outbox[0].body
    base = settings.PHB_BASE_URL.rstrip("/")
    assert base + reverse("checklists:item", args=[world.assessment_a.pk, response.item.code]) in body
    assert base + reverse("partnership:preferences") in body
    assert base + reverse("inbox:list") in body
    assert len(mail.outbox) == 1  # nobody else: the owner only


def test_an_item_due_tomorrow_reminds_its_owner(world, django_capture_on_commit_callbacks):
    response = owned_item(world.assessment_a, world.manager_a, today() + days(1))
    run_job(django_capture_on_commit_callbacks)
    assert mailed_to(world.manager_a) == [f"Due tomorrow: {response.item.code} at {world.site_a.name}"]


def test_items_due_on_other_days_or_done_are_not_reminded(world, django_capture_on_commit_callbacks):
    owned_item(world.assessment_a, world.contributor_a, today() + days(3))
    done = owned_item(world.assessment_a, world.contributor_a, today() + days(7), position=1)
    done.__class__.objects.filter(pk=done.pk).update(status="not_applicable", not_applicable_reason="No.")
    run_job(django_capture_on_commit_callbacks)
    assert mail.outbox == [] and InboxMessage.objects.count() == 0


def test_an_overdue_item_reminds_its_owner_weekly(world, django_capture_on_commit_callbacks):
    response = owned_item(world.assessment_a, world.contributor_a, today() - days(2))
    run_job(django_capture_on_commit_callbacks)
    assert mailed_to(world.contributor_a) == [f"Overdue: {response.item.code} at {world.site_a.name}"]
    assert "2 days ago" in mail.outbox[0].body
    mail.outbox.clear()
    for later in (1, 6):  # not again within the week
        run_job(django_capture_on_commit_callbacks, today=today() + days(later))
    assert mail.outbox == []
    run_job(django_capture_on_commit_callbacks, today=today() + days(7))
    assert len(mailed_to(world.contributor_a)) == 1


def test_a_sign_off_awaiting_acknowledgement_for_three_days_reminds_the_union_reps(
    world, django_capture_on_commit_callbacks
):
    second_rep = MembershipFactory(site=world.site_a, role="union_rep").user
    signoff = signoff_waiting(world.assessment_a, world.manager_a, waited=4)
    mail.outbox.clear()
    run_job(django_capture_on_commit_callbacks)
    assert sorted(a for m in mail.outbox for a in m.to) == sorted([world.rep_a.email, second_rep.email])
    assert mail.outbox[0].subject.startswith(f"Waiting for the staff side for 4 days: {signoff.section.title}")
    assert reverse("partnership:signoff", args=[world.assessment_a.pk, signoff.section.code]) in mail.outbox[0].body


def test_a_sign_off_awaiting_for_two_days_is_not_reminded_yet(world, django_capture_on_commit_callbacks):
    signoff_waiting(world.assessment_a, world.manager_a, waited=2)
    mail.outbox.clear()
    run_job(django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_concern_unanswered_for_five_days_reminds_the_owner_and_the_managers(
    world, django_capture_on_commit_callbacks
):
    owned_item(world.assessment_a, world.contributor_a, today() + days(30))
    concern_waiting(world.assessment_a, world.rep_a, waited=6)
    mail.outbox.clear()
    run_job(django_capture_on_commit_callbacks)
    assert sorted(a for m in mail.outbox for a in m.to) == sorted([world.contributor_a.email, world.manager_a.email])
    assert mail.outbox[0].subject.startswith("Concern unanswered for 6 days:")
    assert "Pensions?" in mail.outbox[0].body


def test_a_concern_raised_four_days_ago_is_not_reminded_yet(world, django_capture_on_commit_callbacks):
    concern_waiting(world.assessment_a, world.rep_a, waited=4)
    mail.outbox.clear()
    run_job(django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_submission_waiting_ten_days_reminds_the_regional_and_national_reviewers(
    world, django_capture_on_commit_callbacks
):
    regional = ReviewerScopeFactory(region=world.site_a.region).user
    submission_waiting(world.assessment_a, waited=11)
    submission_waiting(world.assessment_b, waited=9)  # not yet
    run_job(django_capture_on_commit_callbacks)
    # not the London reviewer, nor the observers
    assert sorted(a for m in mail.outbox for a in m.to) == sorted([world.reviewer.email, regional.email])
    assert (
        mail.outbox[0].subject
        == f"Waiting 11 days for review: {world.assessment_a.round_label} for {world.site_a.name}"
    )
    assert reverse("partnership:review", args=[world.assessment_a.pk]) in mail.outbox[0].body


@pytest.mark.parametrize("in_days", [30, 7])
def test_evidence_expiring_reminds_the_items_owner(world, django_capture_on_commit_callbacks, in_days):
    evidence = evidence_expiring(world.assessment_a, world.contributor_a, in_days=in_days)
    run_job(django_capture_on_commit_callbacks)
    assert mailed_to(world.contributor_a) == [
        f"Evidence expires in {in_days} days: {evidence.response.item.code} at {world.site_a.name}"
    ]
    assert inbox_of(world.contributor_a)[0].kind == f"reminder.evidence_{in_days}"


def test_evidence_expiring_on_another_day_is_not_reminded(world, django_capture_on_commit_callbacks):
    evidence_expiring(world.assessment_a, world.contributor_a, in_days=20)
    run_job(django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_person_without_an_e_mail_address_still_gets_the_reminder_in_the_inbox(
    world, django_capture_on_commit_callbacks
):
    world.contributor_a.__class__.objects.filter(pk=world.contributor_a.pk).update(email="")
    owned_item(world.assessment_a, world.contributor_a, today() + days(7))
    run_job(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert [m.subject[:11] for m in inbox_of(world.contributor_a)] == ["Due in 7 da"]

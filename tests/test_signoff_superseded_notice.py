"""When a change supersedes a section's sign-off, the people who signed it are told by e-mail (not the person who
made the change)."""

import pytest
from django.core import mail

from checklists.models import Response
from checklists.services.signoffs import signoff_management
from phb_readiness.sites.models import Membership, SiteRole
from tests.factories import MembershipFactory
from tests.partnership_support import answer, first_section, response_for, sign_section

pytestmark = pytest.mark.django_db


def answered_section(world):
    a = world.assessment_a
    section = first_section(a)
    responses = Response.objects.filter(assessment=a, item__section=section).select_related("item", "assessment")
    for response in responses:
        answer(response, world.manager_a)
    return section, responses.order_by("item__position")[0].item.code


def superseded_mail() -> list:
    return [m for m in mail.outbox if m.subject.startswith("Sign-off superseded")]


def test_both_signers_are_told(world, django_capture_on_commit_callbacks):
    section, code = answered_section(world)
    sign_section(world.assessment_a, section, manager=world.manager_a, rep=world.rep_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer(response_for(world.assessment_a, code), world.contributor_a, narrative="Changed after the sign-off.")
    sent = superseded_mail()
    assert sorted(a for m in sent for a in m.to) == sorted([world.manager_a.email, world.rep_a.email])
    assert section.title in sent[0].subject
    assert "management sign-off and staff-side acknowledgement" in sent[0].body
    assert f"/assessments/{world.assessment_a.pk}/sections/{section.code}/signoff/" in sent[0].body


def test_the_person_who_changed_it_is_not_told_and_others_are_not_either(world, django_capture_on_commit_callbacks):
    MembershipFactory(site=world.site_a, role=Membership.Role.MANAGER)  # a second manager, who did not sign
    section, code = answered_section(world)
    signoff_management(
        assessment=world.assessment_a, section=section, user=world.manager_a, role=SiteRole.MANAGER, statement="S."
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer(response_for(world.assessment_a, code), world.manager_a, narrative="My own change.")
    assert superseded_mail() == []  # the only signer made the change


def test_a_change_to_a_superseded_section_tells_nobody_again(world, django_capture_on_commit_callbacks):
    section, code = answered_section(world)
    sign_section(world.assessment_a, section, manager=world.manager_a, rep=world.rep_a)
    answer(response_for(world.assessment_a, code), world.contributor_a, narrative="First change.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer(response_for(world.assessment_a, code), world.contributor_a, narrative="Second change.")
    assert superseded_mail() == []

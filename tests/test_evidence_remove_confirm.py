"""Removing evidence asks first: the item page's Remove opens a confirmation page (a plain GET, no JavaScript
needed) that says, when it would, that the removal supersedes the section's sign-off; only its POST removes."""

import pytest
from django.urls import reverse

from checklists.models import Assessment, Evidence, Response
from checklists.services.evidence import evidence_add_link
from tests.partnership_support import answer, first_section, sign_section

pytestmark = pytest.mark.django_db


def link_on(world, code: str, user) -> Evidence:
    response = Response.objects.select_related("item", "assessment").get(assessment=world.assessment_a, item__code=code)
    return evidence_add_link(response=response, user=user, url="https://example.org/minutes", title="Forum minutes")


def remove_url(evidence: Evidence) -> str:
    return reverse("checklists:evidence_remove", args=[evidence.pk])


def test_the_item_page_links_remove_to_the_confirmation(client, world):
    evidence = link_on(world, "EMP-01", world.manager_a)
    client.force_login(world.manager_a)
    page = client.get(reverse("checklists:item", args=[world.assessment_a.pk, "EMP-01"])).content.decode()
    assert f'href="{remove_url(evidence)}"' in page


def test_get_asks_to_confirm_and_removes_nothing(client, world):
    evidence = link_on(world, "EMP-01", world.manager_a)
    client.force_login(world.manager_a)
    reply = client.get(remove_url(evidence))
    page = reply.content.decode()
    assert reply.status_code == 200
    assert "Are you sure you want to remove this evidence?" in page and "Forum minutes" in page
    assert f'action="{remove_url(evidence)}"' in page and "Yes, remove it" in page
    assert f'href="{reverse("checklists:item", args=[world.assessment_a.pk, "EMP-01"])}#evidence"' in page
    assert 'id="signoff-warning"' not in page  # the section is not signed
    assert Evidence.objects.current().count() == 1


def test_post_removes(client, world):
    evidence = link_on(world, "EMP-01", world.manager_a)
    client.force_login(world.manager_a)
    reply = client.post(remove_url(evidence))
    assert reply.status_code == 302 and reply.url.endswith("#evidence")
    assert Evidence.objects.current().count() == 0


def test_the_confirmation_warns_when_the_section_is_signed(client, world):
    a = world.assessment_a
    section = first_section(a)
    for response in Response.objects.filter(assessment=a, item__section=section).select_related("item", "assessment"):
        answer(response, world.manager_a)
    code = Response.objects.filter(assessment=a, item__section=section).values_list("item__code", flat=True)[0]
    evidence = link_on(world, code, world.manager_a)
    sign_section(a, section, manager=world.manager_a, rep=world.rep_a)
    client.force_login(world.manager_a)
    page = client.get(remove_url(evidence)).content.decode()
    assert 'id="signoff-warning"' in page
    assert f"{section.title} is signed off by both sides" in page and "will supersede that sign-off" in page


def test_a_contributor_may_confirm_only_their_own(client, world):
    theirs = link_on(world, "EMP-01", world.manager_a)
    mine = link_on(world, "EMP-02", world.contributor_a)
    client.force_login(world.contributor_a)
    assert client.get(remove_url(theirs)).status_code == 403
    assert client.get(remove_url(mine)).status_code == 200


@pytest.mark.parametrize(("persona", "status"), [("rep_a", 403), ("reviewer", 403), ("manager_b", 404)])
def test_others_cannot_see_the_confirmation(client, world, persona, status):
    evidence = link_on(world, "EMP-01", world.manager_a)
    client.force_login(getattr(world, persona))
    assert client.get(remove_url(evidence)).status_code == status


def test_once_submitted_the_confirmation_sends_back_with_the_reason(client, world):
    evidence = link_on(world, "EMP-01", world.manager_a)
    Assessment.objects.filter(pk=world.assessment_a.pk).update(state="submitted")
    client.force_login(world.manager_a)
    reply = client.get(remove_url(evidence), follow=True)
    assert "cannot be changed" in reply.content.decode()
    assert Evidence.objects.current().count() == 1

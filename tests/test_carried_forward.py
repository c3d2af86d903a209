"""Answers carried into a new round are marked "carried forward, not yet confirmed" until confirmed or changed."""

import pytest
from django.urls import reverse

from checklists.models import Response
from checklists.services.responses import response_confirm
from phb_readiness.audit.models import AuditEvent
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import answer, first_response
from tests.query_counts import assert_query_count
from tests.rounds_support import next_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(world):
    return next_round(world)


def item_url(assessment, code):
    return reverse("checklists:item", args=[assessment.pk, code])


def test_a_new_round_marks_every_answer_it_carried(second):
    assert set(second.responses.values_list("carried_forward", flat=True)) == {True}


def test_a_first_round_has_nothing_carried_forward(world):
    assert not world.assessment_b.responses.filter(carried_forward=True).exists()


def test_changing_an_answer_clears_the_mark(world, second):
    response = first_response(second)
    answer(response, world.manager_a, narrative="Changed this round.")
    response.refresh_from_db()
    assert not response.carried_forward
    assert second.responses.filter(carried_forward=True).count() == second.responses.count() - 1


def test_confirm_unchanged_clears_the_mark_keeps_the_answer_and_is_audited(client, world, second):
    response = first_response(second)
    client.force_login(world.contributor_a)
    page = client.get(item_url(second, response.item.code)).content.decode()
    assert "Carried forward, not yet confirmed" in page and "Confirm unchanged" in page
    reply = client.post(
        item_url(second, response.item.code), {"confirm_carried": "1", "base_version": response.version}
    )
    assert reply.status_code == 302
    confirmed = Response.objects.get(pk=response.pk)
    assert not confirmed.carried_forward
    assert (confirmed.status, confirmed.narrative) == (response.status, response.narrative)
    assert confirmed.version == response.version + 1
    event = AuditEvent.objects.get(action="response.confirm")
    assert (event.actor, event.site_id, event.object_id) == (world.contributor_a, world.site_a.pk, str(response.pk))
    assert "Carried forward, not yet confirmed" not in client.get(item_url(second, response.item.code)).content.decode()


def test_confirming_a_version_someone_has_since_changed_is_refused(client, world, second):
    response = first_response(second)
    seen_version = response.version
    answer(response, world.manager_a, status=Response.Status.IN_PROGRESS, narrative="Being redone.")
    client.force_login(world.contributor_a)
    reply = client.post(
        item_url(second, response.item.code),
        {"confirm_carried": "1", "base_version": seen_version},
        follow=True,
    )
    assert "was changed by someone else" in reply.content.decode()
    assert AuditEvent.objects.filter(action="response.confirm").count() == 0


def test_a_union_rep_sees_the_mark_but_cannot_confirm(client, world, second):
    response = first_response(second)
    client.force_login(world.rep_a)
    page = client.get(item_url(second, response.item.code)).content.decode()
    assert "Carried forward, not yet confirmed" in page and "Confirm unchanged" not in page
    reply = client.post(
        item_url(second, response.item.code), {"confirm_carried": "1", "base_version": response.version}
    )
    assert reply.status_code == 403
    assert Response.objects.get(pk=response.pk).carried_forward


def test_the_task_list_marks_and_filters_the_unconfirmed(client, world, second):
    kept = first_response(second)
    other = second.responses.exclude(pk=kept.pk).select_related("item").first()
    answer(kept, world.manager_a, narrative="Redone.")
    client.force_login(world.manager_a)
    url = reverse("checklists:assessment", args=[second.pk])
    page = client.get(url).content.decode()
    assert page.count("Carried forward, not yet confirmed</strong>") == second.responses.count() - 1
    filtered = client.get(url, {"carried": "on"}).content.decode()
    total = second.responses.count()
    assert f"Showing {total - 1} of {total} items." in filtered
    assert f">{kept.item.code}</span>" not in filtered
    assert f">{other.item.code}</span>" in filtered


def test_confirming_costs_a_save_s_queries(world, second):
    response = first_response(second)
    with assert_query_count(6, "confirm unchanged"):
        response_confirm(response=response, user=world.manager_a, base_version=response.version, role=SiteRole.MANAGER)

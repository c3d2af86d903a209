"""The task list is reused while its site's data is unchanged, and shows every change at once."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from checklists.models import Response
from checklists.services.comments import comment_create
from checklists.services.evidence import evidence_add_link
from checklists.services.responses import response_save
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import first_response

pytestmark = pytest.mark.django_db


def task_list(client, world, **filters) -> str:
    page = client.get(reverse("checklists:assessment", args=[world.assessment_a.pk]), filters)
    assert page.status_code == 200
    return page.content.decode()


def item_row(page: str, code: str) -> str:
    start = page.index(f'id="item-{code}-hint"')
    return page[start : page.index("</li>", start)]


def test_a_warm_task_list_reads_no_checklist_rows(client, world, django_assert_max_num_queries):
    client.force_login(world.manager_a)
    task_list(client, world)
    with django_assert_max_num_queries(10) as warm:
        task_list(client, world)
    tables = " ".join(q["sql"] for q in warm.captured_queries)
    assert "checklists_response" not in tables and "checklists_comment" not in tables


def test_a_saved_answer_comment_and_evidence_show_at_once(client, world):
    response = first_response(world.assessment_a)
    code = response.item.code
    client.force_login(world.manager_a)
    assert "Not started" in item_row(task_list(client, world), code)

    response_save(
        response=response,
        user=world.manager_a,
        data={"status": Response.Status.IN_PROGRESS},
        base_version=response.version,
    )
    assert "In progress" in item_row(task_list(client, world), code)

    comment_create(response=response, user=world.rep_a, role=SiteRole.UNION_REP, body="Noted.")
    assert "1 comment" in item_row(task_list(client, world), code)

    evidence_add_link(response=response, user=world.manager_a, url="https://example.org/minutes")
    assert "1 evidence item" in item_row(task_list(client, world), code)


def test_an_item_becomes_overdue_the_day_after_its_due_date(client, world, monkeypatch):
    response = first_response(world.assessment_a)
    today = timezone.localdate()
    response_save(response=response, user=world.manager_a, data={"due_date": today}, base_version=response.version)
    client.force_login(world.manager_a)
    assert "Overdue" not in item_row(task_list(client, world), response.item.code)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today + datetime.timedelta(days=1))
    assert "Overdue" in item_row(task_list(client, world), response.item.code)


def test_my_items_is_each_person_s_own_from_the_same_task_list(client, world):
    response = first_response(world.assessment_a)
    response_save(
        response=response, user=world.manager_a, data={"owner": world.contributor_a}, base_version=response.version
    )
    client.force_login(world.contributor_a)
    assert f'id="item-{response.item.code}-hint"' in task_list(client, world, mine="on")
    client.force_login(world.manager_a)
    assert f'id="item-{response.item.code}-hint"' not in task_list(client, world, mine="on")

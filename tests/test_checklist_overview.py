"""The assessment overview: task list per section, readiness with the rule on the page, filters that work without JS."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from checklists.models import Comment, Response
from checklists.rules.readiness import RAG_RULE
from checklists.services.comments import comment_create
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import answer, response_for

pytestmark = pytest.mark.django_db


def _url(assessment, **params) -> str:
    from urllib.parse import urlencode

    return reverse("checklists:assessment", args=[assessment.pk]) + (f"?{urlencode(params)}" if params else "")


def test_overview_lists_every_item_as_a_task_list_with_readiness_and_the_rule(client, world):
    client.force_login(world.manager_a)
    page = client.get(_url(world.assessment_a))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="govuk-task-list__item') == 61
    assert "EMP-03" in html
    assert RAG_RULE.split(".")[0] in html
    assert "0 of 61 applicable items" in html
    assert 'class="app-rag app-rag--amber"' in html
    assert "partnership/section_signoff.html" not in html  # the include is rendered, not printed


def test_progress_changes_when_an_item_is_in_place(client, world):
    answer(response_for(world.assessment_a, "EMP-01"), world.manager_a)
    client.force_login(world.contributor_a)
    html = client.get(_url(world.assessment_a)).content.decode()
    assert "1 of 61 applicable items" in html
    assert 'data-section-progress="EMP">1 of' in html


def test_open_concern_makes_the_section_red_and_is_marked(client, world):
    response = response_for(world.assessment_a, "EMP-02")
    comment_create(response=response, user=world.rep_a, role=SiteRole.UNION_REP, body="Not agreed", is_concern=True)
    client.force_login(world.rep_a)
    html = client.get(_url(world.assessment_a)).content.decode()
    assert "1 open concern" in html
    assert 'class="app-rag app-rag--red"' in html


def test_filters_by_section_status_mine_overdue_and_concerns(client, world):
    rows = {r.item.code: r for r in world.assessment_a.responses.select_related("item")}
    rows["EMP-01"].owner = world.contributor_a
    rows["EMP-01"].save()
    rows["DEL-01"].status = Response.Status.IN_PROGRESS
    rows["DEL-01"].save()
    rows["EMP-04"].due_date = timezone.localdate() - datetime.timedelta(days=3)
    rows["EMP-04"].save()
    Comment.objects.create(
        response=rows["EMP-05"],
        author=world.rep_a,
        author_role=SiteRole.UNION_REP,
        body="Why?",
        is_concern=True,
        concern_state=Comment.ConcernState.OPEN,
    )
    client.force_login(world.contributor_a)

    def codes(**params) -> list[str]:
        html = client.get(_url(world.assessment_a, **params)).content.decode()
        return [code for code in rows if f'id="item-{code}-status"' in html]

    assert len(codes(section="EMP")) == len([c for c in rows if c.startswith("EMP-")])
    assert codes(status="in_progress") == ["DEL-01"]
    assert codes(mine="on") == ["EMP-01"]
    assert codes(overdue="on") == ["EMP-04"]
    assert codes(concerns="on") == ["EMP-05"]
    assert codes(section="NOPE") == []
    html = client.get(_url(world.assessment_a, overdue="on")).content.decode()
    assert "Overdue" in html and "Showing 1 of 61 items" in html

"""The home page of pilot managers and contributors: what is waiting for them at each site, each line a link to
where it is done."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from checklists.models import Response, ReviewQuery
from checklists.services.assessments import assessment_submit
from checklists.services.comments import comment_create
from checklists.services.review import assessment_return
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import (
    answer,
    first_section,
    ready_to_submit,
    response_for,
    sign_section,
)

pytestmark = pytest.mark.django_db


def home(client, user) -> str:
    client.force_login(user)
    reply = client.get(reverse("home"))
    assert reply.status_code == 200
    return reply.content.decode()


def owned(world, code: str, *, owner, due: datetime.date, status: str = Response.Status.IN_PROGRESS) -> None:
    Response.objects.filter(assessment=world.assessment_a, item__code=code).update(
        owner=owner, due_date=due, status=status
    )


def item_link(world, code: str) -> str:
    return reverse("checklists:item", args=[world.assessment_a.pk, code])


def test_items_i_own_that_are_overdue_or_due_within_14_days_link_to_the_item(client, world):
    today = timezone.localdate()
    owned(world, "EMP-01", owner=world.contributor_a, due=today - datetime.timedelta(days=3))
    owned(world, "EMP-02", owner=world.contributor_a, due=today + datetime.timedelta(days=14))
    owned(world, "EMP-03", owner=world.contributor_a, due=today + datetime.timedelta(days=15))  # not yet
    owned(world, "EMP-04", owner=world.contributor_a, due=today, status=Response.Status.IN_PLACE)  # done
    owned(world, "EMP-05", owner=world.manager_a, due=today)  # someone else's
    page = home(client, world.contributor_a)
    assert f'href="{item_link(world, "EMP-01")}"' in page and "Overdue" in page and "3 days ago" in page
    assert f'href="{item_link(world, "EMP-02")}"' in page and "in 14 days" in page
    for code in ("EMP-03", "EMP-04", "EMP-05"):
        assert f'href="{item_link(world, code)}"' not in page
    assert page.index("EMP-01") < page.index("EMP-02")  # most urgent first


def test_open_concerns_wait_for_the_manager_to_answer(client, world):
    response = response_for(world.assessment_a, "EMP-03")
    concern = comment_create(
        response=response, user=world.rep_a, role=SiteRole.UNION_REP, body="Who agreed?", is_concern=True
    )
    page = home(client, world.manager_a)
    assert f'href="{item_link(world, "EMP-03")}#comment-{concern.pk}"' in page
    assert "Answer the concern on EMP-03" in page and "Who agreed?" in page
    assert "Answer the concern" not in home(client, world.contributor_a)  # only a manager answers


def test_a_section_ready_for_sign_off_and_a_superseded_sign_off(client, world):
    a = world.assessment_a
    section = first_section(a)
    for response in Response.objects.filter(assessment=a, item__section=section).select_related("item", "assessment"):
        answer(response, world.manager_a)
    signoff = reverse("partnership:signoff", args=[a.pk, section.code])
    page = home(client, world.manager_a)
    assert f"Sign off {section.title}" in page and f'href="{signoff}"' in page
    assert f"Sign off {section.title}" not in home(client, world.contributor_a)

    sign_section(a, section, manager=world.manager_a, rep=world.rep_a)
    assert f"Sign off {section.title}" not in home(client, world.manager_a)

    first = Response.objects.filter(assessment=a, item__section=section).select_related("item", "assessment").first()
    answer(first, world.contributor_a, narrative="Changed after the sign-off.")
    page = home(client, world.manager_a)
    assert f"Sign {section.title} again" in page and "Superseded" in page and f'href="{signoff}"' in page
    assert f"See {section.title} again" in home(client, world.contributor_a)


def test_a_returned_assessment_links_to_the_reasons(client, world):
    a = world.assessment_a
    ready_to_submit(a, manager=world.manager_a, rep=world.rep_a)
    assessment_submit(assessment=a, user=world.manager_a)
    assessment_return(assessment=a, user=world.reviewer, role=SiteRole.REVIEWER, reasons="Evidence for EMP-03 is thin.")
    for person in (world.manager_a, world.contributor_a):
        page = home(client, person)
        assert "Returned" in page and "Evidence for EMP-03 is thin." in page
        assert f'href="{reverse("partnership:review", args=[a.pk])}"' in page


def test_nothing_waiting_says_so_and_the_sites_are_still_listed(client, world):
    page = home(client, world.manager_b)
    assert "Nothing is waiting for you" in page
    assert "Your sites" in page and world.site_b.name in page
    assert f'href="{reverse("checklists:assessment", args=[world.assessment_b.pk])}"' in page


def test_another_sites_work_is_not_shown(client, world):
    owned(world, "EMP-01", owner=world.manager_a, due=timezone.localdate())
    Response.objects.filter(assessment=world.assessment_b, item__code="EMP-01").update(
        owner=world.manager_b, due_date=timezone.localdate()
    )
    page = home(client, world.manager_b)
    assert item_link(world, "EMP-01") not in page
    assert world.site_a.name not in page


def test_the_reviewers_queries_wait_for_the_manager_with_a_link_to_the_answer(client, world):
    a = world.assessment_a
    ready_to_submit(a, manager=world.manager_a, rep=world.rep_a)
    assessment_submit(assessment=a, user=world.manager_a)
    assessment_return(
        assessment=a,
        user=world.reviewer,
        role=SiteRole.REVIEWER,
        reasons="See the queries.",
        queries={"EMP-02": "Which forum agreed this?"},
    )
    query = ReviewQuery.objects.get()
    page = home(client, world.manager_a)
    assert "Answer the reviewer&#x27;s query on EMP-02" in page and "Which forum agreed this?" in page
    assert f'href="{reverse("partnership:query_answer", args=[a.pk, query.pk])}"' in page
    assert "query on EMP-02" not in home(client, world.contributor_a)  # a manager answers

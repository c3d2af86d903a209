"""The home page of reviewers: the review queue in their scope, oldest first, with how long each has waited and a
Review button; and the sites in scope whose checklist has not moved for 30 days."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from checklists.models import Assessment, Readiness, ReviewQuery
from checklists.services.assessments import assessment_create, assessment_submit
from checklists.services.comments import comment_create, concern_answer
from checklists.services.review import assessment_return, review_query_answer
from phb_readiness.sites.models import Membership, SiteRole
from tests.factories import MembershipFactory, PilotSiteFactory, RegionFactory
from tests.partnership_support import ready_to_submit, response_for

pytestmark = pytest.mark.django_db


def home(client, user) -> str:
    client.force_login(user)
    reply = client.get(reverse("home"))
    assert reply.status_code == 200
    return reply.content.decode()


def submitted(world, assessment, *, days_ago: int, manager) -> None:
    ready_to_submit(assessment, manager=manager, rep=world.rep_a)
    assessment_submit(assessment=assessment, user=manager)
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=days_ago))


def review_link(assessment) -> str:
    return f'href="{reverse("partnership:review", args=[assessment.pk])}"'


def test_the_queue_lists_submissions_oldest_first_with_days_waited_and_a_review_button(client, world):
    MembershipFactory(site=world.site_b, user=world.rep_a, role=Membership.Role.UNION_REP)
    submitted(world, world.assessment_a, days_ago=2, manager=world.manager_a)
    submitted(world, world.assessment_b, days_ago=12, manager=world.manager_b)
    page = home(client, world.reviewer)
    assert "Review queue" in page
    assert review_link(world.assessment_a) in page and review_link(world.assessment_b) in page
    assert page.index(review_link(world.assessment_b)) < page.index(review_link(world.assessment_a))
    assert "waiting 12 days" in page and "waiting 2 days" in page
    assert page.count('class="govuk-button govuk-!-margin-bottom-0"') == 2


def test_a_regional_reviewer_sees_only_the_region(client, world):
    submitted(world, world.assessment_a, days_ago=1, manager=world.manager_a)
    page = home(client, world.regional_reviewer_other)  # London: site A is in the North West
    assert review_link(world.assessment_a) not in page
    assert "No submission is waiting for review." in page


def test_sites_that_have_not_moved_for_30_days(client, world, framework):
    london = RegionFactory(code="LDN", name="London")
    site_c = PilotSiteFactory(code="SITE-C", region=london)
    manager_c = MembershipFactory(site=site_c, role=Membership.Role.MANAGER).user
    c = assessment_create(site=site_c, framework=framework, round_label="Round one", user=manager_c)
    long_ago = timezone.now() - datetime.timedelta(days=45)
    Readiness.objects.filter(pk__in=[world.assessment_a.pk, c.pk]).update(last_change=long_ago)
    Readiness.objects.filter(pk=world.assessment_b.pk).update(last_change=timezone.now() - datetime.timedelta(days=29))
    page = home(client, world.reviewer)
    assert "Sites that have not moved for 30 days" in page
    assert world.site_a.name in page and site_c.name in page and "45 days ago" in page
    assert world.site_b.name not in page
    regional = home(client, world.regional_reviewer_other)
    assert site_c.name in regional and world.site_a.name not in regional


def test_an_empty_queue_says_nothing_is_waiting(client, world):
    page = home(client, world.reviewer)
    assert "Nothing is waiting for you" in page and "No submission is waiting for review." in page


def test_an_observer_has_no_review_queue(client, world):
    page = home(client, world.observer)
    assert "Review queue" not in page and "Nothing is waiting for you" in page


def test_a_resubmission_whose_queries_are_answered(client, world):
    a = world.assessment_a
    ready_to_submit(a, manager=world.manager_a, rep=world.rep_a)
    assessment_submit(assessment=a, user=world.manager_a)
    assessment_return(
        assessment=a, user=world.reviewer, role=SiteRole.REVIEWER, reasons="Queries.", queries={"EMP-02": "Who?"}
    )
    review_query_answer(
        query=ReviewQuery.objects.get(), user=world.manager_a, role=SiteRole.MANAGER, answer="The forum."
    )
    assessment_submit(assessment=a, user=world.manager_a)
    page = home(client, world.reviewer)
    assert "Resubmissions with answered queries" in page and "1 answered query to resolve" in page
    assert page.count(review_link(a)) == 2  # in the queue, and among the resubmissions


def test_an_observer_sees_their_answered_concerns_to_close(client, world):
    concern = comment_create(
        response=response_for(world.assessment_a, "EMP-03"),
        user=world.observer,
        role=SiteRole.OBSERVER,
        body="Is the pension question settled?",
        is_concern=True,
    )
    concern_answer(concern=concern, user=world.manager_a, role=SiteRole.MANAGER, answer="Yes.")
    page = home(client, world.observer)
    assert "Close or reopen your concern on EMP-03 at Site A Primary Care Trust" in page
    assert f"#comment-{concern.pk}" in page and "Nothing is waiting for you" not in page

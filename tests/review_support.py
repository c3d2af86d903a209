"""Helpers for the review tests: an assessment submitted (RED or not), returned with item queries, the queries
answered, all through the real services."""

from __future__ import annotations

from django.urls import reverse

from checklists.models import Assessment, Response, ReviewQuery
from checklists.services.assessments import assessment_submit
from checklists.services.review import assessment_return, review_query_answer
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import answer, ready_to_submit, sign_section


def review_url(assessment: Assessment) -> str:
    return reverse("partnership:review", args=[assessment.pk])


def mandatory_response(assessment: Assessment) -> Response:
    return (
        Response.objects.select_related("item__section", "assessment")
        .filter(assessment=assessment, item__mandatory=True)
        .order_by("item__section__position", "item__position")
        .first()
    )


def submitted(world, *, red: bool = False) -> Assessment:
    """Site A's assessment ready and submitted; with `red`, one mandatory item recorded as not in place (and its
    section signed again), which rates it RED without keeping it from submission."""
    a = world.assessment_a
    ready_to_submit(a, manager=world.manager_a, rep=world.rep_a)
    if red:
        response = mandatory_response(a)
        answer(response, world.manager_a, status=Response.Status.NOT_IN_PLACE, narrative="Not yet agreed.")
        sign_section(a, response.item.section, manager=world.manager_a, rep=world.rep_a)
    return assessment_submit(assessment=a, user=world.manager_a)


def two_codes(assessment: Assessment) -> list[str]:
    """Two items of different sections."""
    first = mandatory_response(assessment)
    other = (
        Response.objects.filter(assessment=assessment)
        .exclude(item__section=first.item.section)
        .select_related("item")
        .order_by("item__section__position", "item__position")
        .first()
    )
    return [first.item.code, other.item.code]


def returned_with_queries(world, codes: list[str], reasons: str = "Two items need more.") -> Assessment:
    a = submitted(world)
    return assessment_return(
        assessment=a,
        user=world.reviewer,
        role=SiteRole.REVIEWER,
        reasons=reasons,
        queries={code: f"What is behind {code}?" for code in codes},
    )


def answer_queries(world, assessment: Assessment) -> None:
    for query in ReviewQuery.objects.filter(assessment=assessment, state=ReviewQuery.State.OPEN):
        review_query_answer(query=query, user=world.manager_a, role=SiteRole.MANAGER, answer="See the new minutes.")

"""Two rounds of one site: the first accepted, the second started from it (its answers carried forward)."""

from __future__ import annotations

from checklists.models import Assessment
from checklists.services.assessments import assessment_new_round, assessment_submit
from checklists.services.review import assessment_accept
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import ready_to_submit

NEXT_ROUND = "Readiness review, 2010/11 Q1"


def accepted_round(world) -> Assessment:
    first = world.assessment_a
    ready_to_submit(first, manager=world.manager_a, rep=world.rep_a)
    assessment_submit(assessment=first, user=world.manager_a)
    return assessment_accept(assessment=first, user=world.reviewer, role=SiteRole.REVIEWER)


def next_round(world, label: str = NEXT_ROUND) -> Assessment:
    """Site A's first round accepted and a new round started from it by its manager."""
    first = accepted_round(world)
    return assessment_new_round(assessment=first, user=world.manager_a, role=SiteRole.MANAGER, round_label=label)

"""Two rounds of one site: the first answered, the second started from it (its answers carried forward).

The second round is started through `assessment_create` as `assessment_new_round` does once the first is accepted
(tests/test_review.py covers that path), so these tests do not depend on what it takes to be accepted."""

from __future__ import annotations

from checklists.models import Assessment, Response
from checklists.services.assessments import assessment_create
from checklists.services.responses import response_save

NEXT_ROUND = "Readiness review, 2010/11 Q1"


def next_round(world, label: str = NEXT_ROUND) -> Assessment:
    """Site A's first round answered throughout ("in progress", so no evidence is needed), and a new round started
    from it by its manager."""
    first = world.assessment_a
    for response in first.responses.select_related("item"):
        data = {"status": Response.Status.IN_PROGRESS, "narrative": "Agreed."}
        response_save(response=response, user=world.manager_a, data=data, base_version=response.version)
    return assessment_create(
        site=first.site, framework=first.framework, round_label=label, user=world.manager_a, carry_forward_from=first
    )

"""Two people save the same item at the same moment from the same version: exactly one wins, the other is told."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from checklists.models import Response
from checklists.services.responses import ResponseConflict, response_save
from phb_readiness.audit.models import AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL (DATABASE_URL)")


def test_concurrent_saves_from_the_same_version_cannot_both_win(world):
    response = Response.objects.select_related("item").get(assessment=world.assessment_a, item__code="EMP-01")
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(user, text: str) -> None:
        try:
            barrier.wait(timeout=10)
            response_save(response=response, user=user, data={"narrative": text}, base_version=1)
            outcomes[text] = "saved"
        except ResponseConflict:
            outcomes[text] = "conflict"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(world.manager_a, "manager's text")),
        threading.Thread(target=save, args=(world.contributor_a, "contributor's text")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["conflict", "saved"]
    response.refresh_from_db()
    winner = next(text for text, outcome in outcomes.items() if outcome == "saved")
    assert (response.narrative, response.version) == (winner, 2)
    assert AuditEvent.objects.filter(action="response.update").count() == 1

"""The "returned" e-mail tells each side its own part: the manager submits again, the union rep does not."""

from __future__ import annotations

import pytest
from django.core import mail

from checklists.services.assessments import assessment_submit
from checklists.services.review import assessment_return
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import ready_to_submit

pytestmark = pytest.mark.django_db


def test_the_returned_email_gives_managers_and_union_reps_their_own_next_step(
    world, django_capture_on_commit_callbacks
):
    a = world.assessment_a
    ready_to_submit(a, manager=world.manager_a, rep=world.rep_a)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=a, user=world.manager_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assessment_return(assessment=a, user=world.reviewer, role=SiteRole.REVIEWER, reasons="Missing X.")

    to_rep = [m for m in mail.outbox if world.rep_a.email in m.to]
    assert to_rep, "the union rep is told"
    body = to_rep[0].body
    lines = body.splitlines()
    rep_line = next(line for line in lines if line.startswith("Union reps"))
    manager_line = next(line for line in lines if line.startswith("Pilot managers"))
    assert "submit" in manager_line
    assert "submit" not in rep_line and "acknowledge" in rep_line
    assert not any(line.startswith(("Make the changes and submit", "Submit it again")) for line in lines)

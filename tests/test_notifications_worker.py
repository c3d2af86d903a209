"""A notification goes through a real Celery worker after the commit (CI: Redis and PostgreSQL; console mail)."""

import time

import pytest

from checklists.services.comments import comment_create
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import first_response

pytestmark = pytest.mark.worker


def test_a_raised_concern_is_mailed_by_the_worker(celery_worker, world):
    comment_create(
        response=first_response(world.assessment_a),
        user=world.rep_a,
        role=SiteRole.UNION_REP,
        body="Sent through the worker.",
        is_concern=True,
    )
    deadline = time.monotonic() + 30
    while "Subject: Concern raised on" not in celery_worker.log():
        assert time.monotonic() < deadline, f"the worker sent no e-mail:\n{celery_worker.log()}"
        time.sleep(0.2)
    log = celery_worker.log()
    assert f"To: {world.manager_a.email}" in log and "Sent through the worker." in log
    assert "checklists.send_notification[" in log

"""A task goes through a real worker over the broker and writes to the database (CI: Redis and PostgreSQL)."""

import uuid

import pytest

from phb_readiness.sites.models import Region
from phb_readiness.sites.tasks import worker_ping


def test_eager_task_runs_in_process(db):
    result = worker_ping.delay("eager")
    assert result.get()["token"] == "eager"
    assert Region.objects.filter(code="PING-eager").exists()


@pytest.mark.worker
def test_real_worker_runs_the_task_and_writes_to_the_database(celery_worker):
    import time

    token = uuid.uuid4().hex[:8]
    worker_ping.delay(token)
    deadline = time.monotonic() + 30
    while not Region.objects.filter(code=f"PING-{token}").exists():
        assert time.monotonic() < deadline, f"the worker did not run the task:\n{celery_worker.log()}"
        time.sleep(0.2)
    assert "phb_readiness.worker_ping[" in celery_worker.log()

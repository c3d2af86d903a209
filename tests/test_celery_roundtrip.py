"""A task goes through a real worker over the broker and reaches the database (CI: Redis and PostgreSQL).

The ping writes nothing; its answer (the token and the database the worker is connected to, as the server names it)
comes back through a Redis result backend on the broker's URL, set for this test alone.
"""

import os
import time
import uuid

import pytest
from celery.app.backends import by_url
from django.db import connection

from phb_readiness.celery import app
from phb_readiness.sites.models import Region
from phb_readiness.sites.tasks import connected_database, worker_ping


def test_eager_task_runs_in_process_and_leaves_no_rows(db):
    regions = Region.objects.count()
    answer = worker_ping.delay("eager").get()
    assert answer["token"] == "eager"
    assert answer["database"] == connection.vendor
    assert answer["database_name"] == connected_database()
    assert Region.objects.count() == regions


@pytest.fixture
def result_backend(monkeypatch):
    """A Redis result backend on the broker's URL, for this process and (through the environment) the worker."""
    url = os.environ.get("CELERY_BROKER_URL")
    if not url:
        pytest.skip("no CELERY_BROKER_URL: the real-worker tests run in CI against Redis")
    monkeypatch.setenv("CELERY_RESULT_BACKEND", url)
    backend_class, backend_url = by_url(url, app.loader)
    return backend_class(app=app, url=backend_url)


@pytest.mark.worker
def test_real_worker_runs_the_task_against_the_same_database(result_backend, request):
    celery_worker = request.getfixturevalue("celery_worker")  # started after the result backend is in its environment
    regions = Region.objects.count()
    token = uuid.uuid4().hex
    sent = worker_ping.delay(token)
    deadline = time.monotonic() + 30
    while (meta := result_backend.get_task_meta(sent.id))["status"] != "SUCCESS":
        assert meta["status"] in ("PENDING", "STARTED", "RECEIVED"), f"{meta}\n{celery_worker.log()}"
        assert time.monotonic() < deadline, f"the worker did not run the task:\n{celery_worker.log()}"
        time.sleep(0.2)
    answer = meta["result"]
    assert answer["token"] == token
    assert answer["database"] == "postgresql"
    assert answer["database_name"] == connection.settings_dict["NAME"] == connected_database()
    assert f"phb_readiness.worker_ping[{sent.id}]" in celery_worker.log()
    assert Region.objects.count() == regions
    result_backend.forget(sent.id)

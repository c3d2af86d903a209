"""The daily readiness job runs in a real Celery worker, as beat sends it (CI: Redis and PostgreSQL)."""

import datetime
import time

import pytest
from django.utils import timezone

from checklists.models import Readiness
from checklists.services.readiness import refresh_stale_readiness

pytestmark = pytest.mark.worker


def test_beats_daily_job_brings_stale_readiness_up_to_today(celery_worker, world):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Readiness.objects.update(as_of=yesterday)
    refresh_stale_readiness.delay()
    deadline = time.monotonic() + 30
    while Readiness.objects.filter(as_of=yesterday).exists():
        assert time.monotonic() < deadline, f"the worker refreshed nothing:\n{celery_worker.log()}"
        time.sleep(0.2)
    assert "checklists.refresh_stale_readiness[" in celery_worker.log()

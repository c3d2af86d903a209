"""Reports through a real Celery worker over the broker (CI: Redis and PostgreSQL), including a worker killed
in the middle of a render: the job ends succeeded after redelivery, or failed with a retry; never stuck."""

import datetime
import os
import signal
import time
from pathlib import Path

import pytest
from django.utils import timezone

from phb_readiness.reports.models import Report
from phb_readiness.reports.services import STALE_AFTER, report_request_site, report_retry, report_sweep_stale

pytestmark = pytest.mark.worker
SETTLED = (Report.State.SUCCEEDED, Report.State.FAILED)


def wait_for(report: Report, states, worker, timeout: float = 180) -> Report:
    deadline = time.monotonic() + timeout
    while True:
        report.refresh_from_db()
        if report.state in states:
            return report
        assert time.monotonic() < deadline, f"report stuck {report.state}:\n{worker.log()[-4000:]}"
        time.sleep(0.1)


def pool_children(pid: int) -> list[int]:
    """The worker's pool processes (Linux /proc: the field after the state in /proc/N/stat is the parent)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def test_a_real_worker_renders_a_requested_report(celery_worker, world):
    report, created = report_request_site(assessment=world.assessment_a, user=world.manager_a)
    assert created
    report = wait_for(report, SETTLED, celery_worker)
    assert report.state == Report.State.SUCCEEDED, report.error
    assert report.attempts == 1 and report.pages > 1
    assert report.file.open("rb").read(5) == b"%PDF-"
    assert "reports.render_report[" in celery_worker.log()


def test_a_pool_process_killed_mid_render_is_redelivered_and_finishes(celery_worker, world):
    report, _ = report_request_site(assessment=world.assessment_a, user=world.manager_a)
    wait_for(report, (Report.State.RUNNING, *SETTLED), celery_worker)
    assert report.state == Report.State.RUNNING, "the render finished before it could be interrupted"
    children = pool_children(celery_worker.pid)
    assert children, "no pool process found"
    for child in children:
        os.kill(child, signal.SIGKILL)

    report = wait_for(report, SETTLED, celery_worker)
    print(f"\nkilled mid-render: {report.state} after {report.attempts} attempts")  # noqa: T201
    if report.state == Report.State.SUCCEEDED:
        assert report.attempts == 2  # the redelivered message took the job over
    else:
        assert report.error  # and the page offers a retry
    assert "WorkerLostError" in celery_worker.log() or "Process" in celery_worker.log()


def test_a_worker_killed_outright_leaves_no_job_running_for_ever(celery_worker, world):
    report, _ = report_request_site(assessment=world.assessment_a, user=world.manager_a)
    wait_for(report, (Report.State.RUNNING, *SETTLED), celery_worker)
    children = pool_children(celery_worker.pid)
    os.kill(celery_worker.pid, signal.SIGKILL)
    for child in children:  # the pool would otherwise outlive its parent
        try:
            os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass

    report.refresh_from_db()
    print(f"\nworker killed outright: {report.state}")  # noqa: T201
    if report.state == Report.State.RUNNING:
        # Its message waits for the broker's visibility timeout; meanwhile the time limit passes and the sweep
        # (run when the report or the list is viewed) marks the job failed, with a retry.
        assert report_sweep_stale(now=timezone.now() + STALE_AFTER + datetime.timedelta(seconds=1)) == 1
        report.refresh_from_db()
        assert report.state == Report.State.FAILED and "stopped without finishing" in report.error
        report = report_retry(report=report, user=world.manager_a)
        assert report.state == Report.State.QUEUED
    else:
        assert report.state in SETTLED

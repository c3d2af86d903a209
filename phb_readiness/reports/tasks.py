"""The Celery task that renders a report. It takes an id, re-loads the row and does nothing twice."""

from __future__ import annotations

from celery import shared_task

from phb_readiness.reports.services import SOFT_TIME_LIMIT, TIME_LIMIT, TRANSIENT, report_render, report_sweep_stale


@shared_task(
    bind=True,
    name="reports.render_report",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=4,
)
def render_report(self, report_id: int) -> str:
    # A redelivered message (its worker was lost) or a retry may take over a job that still shows "running".
    take_over = bool((self.request.delivery_info or {}).get("redelivered")) or bool(self.request.retries)
    report = report_render(report_id=report_id, take_over=take_over)
    return report.state if report is not None else "nothing to do"


@shared_task(name="reports.sweep_stale_reports")
def sweep_stale_reports() -> int:
    return report_sweep_stale()

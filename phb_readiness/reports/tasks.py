"""Celery tasks of reports, named here for Celery's discovery: rendering a report, sweeping lost jobs, and the
daily readiness snapshot."""

from phb_readiness.reports.history import readiness_snapshot
from phb_readiness.reports.services import render_report, sweep_stale_reports

__all__ = ["readiness_snapshot", "render_report", "sweep_stale_reports"]

"""Celery tasks of reports, named here for Celery's discovery: rendering a report, sweeping lost jobs."""

from phb_readiness.reports.services import render_report, sweep_stale_reports

__all__ = ["render_report", "sweep_stale_reports"]

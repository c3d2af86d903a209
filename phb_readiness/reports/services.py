"""Writes for reports: requesting, rendering, retrying and sweeping lost jobs, and the Celery tasks that run them.

The tasks are defined here, beside what they run, so that queueing one needs no import from a higher layer;
phb_readiness.reports.tasks names them for Celery's discovery.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from typing import TYPE_CHECKING

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from checklists.models import Assessment
from checklists.services.notifications import BROKER_ERRORS
from phb_readiness.audit.services import audit_record
from phb_readiness.reports.models import Report
from phb_readiness.reports.national import national_data_stamp, national_report_data
from phb_readiness.reports.selectors import site_report_data
from phb_readiness.sites.models import Region

if TYPE_CHECKING:
    from phb_readiness.reports.pdf import RenderedPdf

logger = logging.getLogger(__name__)

# Hard and soft time limits of one render; a job "running" for longer than the hard limit plus a grace period
# lost its worker (the worker would have killed it otherwise) and is marked failed.
SOFT_TIME_LIMIT = getattr(settings, "PHB_REPORT_SOFT_TIME_LIMIT", 240)
TIME_LIMIT = getattr(settings, "PHB_REPORT_TIME_LIMIT", 300)
STALE_AFTER = datetime.timedelta(seconds=TIME_LIMIT + 60)
# A queued job no worker picked up in this time (its message lost with a broker) is marked failed too.
QUEUED_STALE_AFTER = datetime.timedelta(hours=1)
ACTIVE = (Report.State.QUEUED, Report.State.RUNNING)


QUEUE_UNREACHABLE = "The report queue could not be reached; try again."


def _enqueue(report: Report) -> None:
    report_id = report.pk
    transaction.on_commit(lambda: _send_to_queue(report_id))


def _send_to_queue(report_id: int) -> None:
    """Queue the render. If the broker cannot be reached, the job fails at once and its page offers a retry, rather
    than the request that asked for it (already committed) becoming a server error."""
    try:
        render_report.delay(report_id)
    except BROKER_ERRORS:
        logger.exception("Report %s could not be queued", report_id)
        Report.objects.filter(pk=report_id, state=Report.State.QUEUED).update(
            state=Report.State.FAILED, error=QUEUE_UNREACHABLE, finished_at=timezone.now()
        )


def _audit_request(report: Report, user, *, reused: bool) -> None:
    audit_record(
        action="report.request",
        actor=user,
        obj=report,
        site=report.site,
        summary=f"Asked for {report.get_kind_display().lower()} {report.pk}"
        + (" (already available)" if reused else ""),
        after={"kind": report.kind, "assessment": report.assessment_id, "region": report.region_id, "reused": reused},
    )


@transaction.atomic
def report_request_site(*, assessment: Assessment, user) -> tuple[Report, bool]:
    """Ask for a site report of an assessment. Returns the report and whether a new job was created.

    The same request twice does not render twice: a job already queued or running for the assessment, or a
    finished report of exactly the same data, is returned instead of a new one.
    """
    Assessment.objects.select_for_update().filter(pk=assessment.pk).first()  # serialise identical requests
    existing = Report.objects.filter(kind=Report.Kind.SITE, assessment=assessment)
    report = existing.filter(state__in=ACTIVE).order_by("-created_at").first()
    if report is None:
        digest = site_report_data(assessment).sha256
        report = existing.filter(state=Report.State.SUCCEEDED, data_sha256=digest).order_by("-created_at").first()
    if report is not None:
        _audit_request(report, user, reused=True)
        return report, False
    report = Report.objects.create(
        kind=Report.Kind.SITE, assessment=assessment, site=assessment.site, requested_by=user, data_sha256=digest
    )
    _audit_request(report, user, reused=False)
    _enqueue(report)
    return report, True


@transaction.atomic
def report_request_national(*, user, region: Region | None) -> tuple[Report, bool]:
    """Ask for the national report (or, for a regional reviewer, the report of their region).

    Nothing of the report is built here: the worker reads its data. The same request twice does not render twice:
    a job already queued or running for the scope is returned, or a finished report whose data stamp (the scope's
    newest change, one query: reports.national.national_data_stamp) is the scope's stamp now.
    """
    existing = Report.objects.filter(kind=Report.Kind.NATIONAL, region=region)
    report = existing.filter(state__in=ACTIVE).order_by("-created_at").first()
    if report is None:
        digest = national_data_stamp(region)
        report = existing.filter(state=Report.State.SUCCEEDED, data_sha256=digest).order_by("-created_at").first()
    if report is not None:
        _audit_request(report, user, reused=True)
        return report, False
    report = Report.objects.create(kind=Report.Kind.NATIONAL, region=region, requested_by=user, data_sha256=digest)
    _audit_request(report, user, reused=False)
    _enqueue(report)
    return report, True


@transaction.atomic
def report_retry(*, report: Report, user) -> Report:
    """Queue a failed report again. Anything else is left as it is."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.state != Report.State.FAILED:
        return report
    report.state = Report.State.QUEUED
    report.error = ""
    report.started_at = report.finished_at = None
    report.save(update_fields=["state", "error", "started_at", "finished_at"])
    audit_record(action="report.retry", actor=user, obj=report, site=report.site, summary=f"Retried report {report.pk}")
    _enqueue(report)
    return report


def report_download_record(*, report: Report, user) -> None:
    audit_record(
        action="report.download",
        actor=user,
        obj=report,
        site=report.site,
        summary=f"Downloaded report {report.pk}",
        after={"sha256": report.sha256},
    )


def report_sweep_stale(*, now: datetime.datetime | None = None) -> int:
    """Mark jobs whose worker was lost as failed, so that they offer a retry instead of spinning for ever."""
    now = now or timezone.now()
    running = Report.objects.filter(state=Report.State.RUNNING, started_at__lt=now - STALE_AFTER)
    queued = Report.objects.filter(state=Report.State.QUEUED, created_at__lt=now - QUEUED_STALE_AFTER)
    count = running.update(
        state=Report.State.FAILED,
        finished_at=now,
        error=(
            f"The worker rendering this report stopped without finishing it (no result after "
            f"{int(STALE_AFTER.total_seconds())} seconds). Nothing was lost: you can try again."
        ),
    )
    count += queued.update(
        state=Report.State.FAILED,
        finished_at=now,
        error="No worker picked this report up within an hour. You can try again.",
    )
    if count:
        logger.warning("Marked %d lost report job(s) as failed", count)
    return count


def report_claim(*, report_id: int, take_over: bool = False) -> Report | None:
    """Claim a job for this worker, or None if there is nothing to do.

    Nothing to do: the report is gone or already rendered, or another worker is rendering it now. A job shown as
    running is taken over only when its message was redelivered (the worker that had it was lost) or it is stale.
    """
    now = timezone.now()
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.state == Report.State.SUCCEEDED:
            return None
        in_hand = report.state == Report.State.RUNNING and report.started_at and report.started_at > now - STALE_AFTER
        if in_hand and not take_over:
            return None
        report.state = Report.State.RUNNING
        report.attempts += 1
        report.started_at = now
        report.finished_at = None
        report.error = ""
        report.save(update_fields=["state", "attempts", "started_at", "finished_at", "error"])
    return report


def report_render_pdf(report: Report) -> tuple[RenderedPdf, datetime.datetime, str]:
    """Render a report's PDF from the data as it is now: the PDF, the time of the data and its SHA-256 (for the
    national report, its data stamp)."""
    from phb_readiness.reports.pdf import pdf_render  # WeasyPrint is slow to import: only where it renders

    if report.kind == Report.Kind.SITE:
        data = site_report_data(report.assessment)
        template = "reports/pdf/site_report.html"
    else:
        data = national_report_data(region=report.region)
        template = "reports/pdf/national_report.html"
    pdf = pdf_render(template=template, context={"data": data, "report": report})
    return pdf, data.as_of, data.sha256


def report_store(*, report: Report, pdf: RenderedPdf, data_as_of: datetime.datetime, data_sha256: str) -> bool:
    """Keep a rendered PDF, unless another attempt took the job over meanwhile."""
    with transaction.atomic():
        current = Report.objects.select_for_update().get(pk=report.pk)
        if current.attempts != report.attempts or current.state == Report.State.SUCCEEDED:
            return False
        current.file.save(f"report-{current.pk}.pdf", ContentFile(pdf.content), save=False)
        current.sha256 = pdf.sha256
        current.pages = pdf.pages
        current.data_as_of = data_as_of
        current.data_sha256 = data_sha256
        current.state = Report.State.SUCCEEDED
        current.finished_at = timezone.now()
        current.error = ""
        current.save(
            update_fields=["file", "sha256", "pages", "data_as_of", "data_sha256", "state", "finished_at", "error"]
        )
    return True


def report_fail(*, report: Report, error: str) -> None:
    Report.objects.filter(pk=report.pk, attempts=report.attempts).exclude(state=Report.State.SUCCEEDED).update(
        state=Report.State.FAILED, error=error[:2000], finished_at=timezone.now()
    )


TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


def report_render(*, report_id: int, take_over: bool = False) -> Report | None:
    """Claim, render and store one report; None if there was nothing to do. Transient errors are raised (the
    task retries them); any other failure is recorded on the row, whose page then offers a retry."""
    report = report_claim(report_id=report_id, take_over=take_over)
    if report is None:
        return None
    try:
        pdf, as_of, digest = report_render_pdf(report)
    except TRANSIENT:
        raise
    except SoftTimeLimitExceeded:
        report_fail(report=report, error=f"Rendering took longer than {SOFT_TIME_LIMIT} seconds and was stopped.")
    except Exception as exc:
        # Not raised: an eager run inside a request must never become a server error.
        logger.exception("Report %s failed to render", report_id)
        report_fail(report=report, error=f"The report could not be rendered ({type(exc).__name__}: {exc}).")
    else:
        report_store(report=report, pdf=pdf, data_as_of=as_of, data_sha256=digest)
    report.refresh_from_db()
    return report


def file_sha256(handle) -> str:
    digest = hashlib.sha256()
    for chunk in handle.chunks():
        digest.update(chunk)
    return digest.hexdigest()


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
    """The worker's job: render a report by id; it re-loads the row and does nothing twice."""
    # A redelivered message (its worker was lost) or a retry may take over a job that still shows "running".
    take_over = bool((self.request.delivery_info or {}).get("redelivered")) or bool(self.request.retries)
    report = report_render(report_id=report_id, take_over=take_over)
    return report.state if report is not None else "nothing to do"


@shared_task(name="reports.sweep_stale_reports")
def sweep_stale_reports() -> int:
    return report_sweep_stale()

"""Writes for reports: requesting, rendering, retrying and sweeping lost jobs, and the Celery tasks that run them.

A job's message is written to the outbox (phb_readiness.outbox) with the job, so a broker that is down delays the
render instead of losing it; a message lost after the broker took it is caught by the sweep, which queues the job
again after PHB_REPORT_REQUEUE_MINUTES and marks it failed (with a retry) after PHB_REPORT_QUEUE_ATTEMPTS messages.

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
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from checklists.models import Assessment
from phb_readiness.audit.checkpoints import audit_checkpoint_on_commit
from phb_readiness.audit.services import audit_record
from phb_readiness.outbox.services import outbox_add
from phb_readiness.reports.history import programme_history
from phb_readiness.reports.models import Report
from phb_readiness.reports.national import national_data_stamp, national_report_data
from phb_readiness.reports.selectors import site_report_data
from phb_readiness.reports.signing import pdf_signed
from phb_readiness.sites.models import Region

if TYPE_CHECKING:
    from phb_readiness.reports.pdf import RenderedPdf

logger = logging.getLogger(__name__)

# Hard and soft time limits of one render; a job "running" for longer than the hard limit plus a grace period
# lost its worker (the worker would have killed it otherwise) and is marked failed.
SOFT_TIME_LIMIT = getattr(settings, "PHB_REPORT_SOFT_TIME_LIMIT", 240)
TIME_LIMIT = getattr(settings, "PHB_REPORT_TIME_LIMIT", 300)
STALE_AFTER = datetime.timedelta(seconds=TIME_LIMIT + 60)
ACTIVE = (Report.State.QUEUED, Report.State.RUNNING)


def requeue_after() -> datetime.timedelta:
    """How long a queued job waits for a worker before its message is taken as lost and sent again."""
    return datetime.timedelta(minutes=settings.PHB_REPORT_REQUEUE_MINUTES)


def _enqueue(*report_ids: int) -> None:
    """The render messages, written to the outbox in the caller's transaction (one insert): published once it
    commits, or by the outbox's next flush if the broker does not take them then."""
    outbox_add(messages=[(render_report.name, [report_id]) for report_id in report_ids])


def _stuck(report: Report, now: datetime.datetime) -> bool:
    queued_at = report.queued_at or report.created_at
    return report.state == Report.State.QUEUED and queued_at < now - requeue_after()


def _queue_afresh(report: Report, now: datetime.datetime) -> None:
    """Queue a job again as a person asked for it: a new message, the count of messages started again."""
    report.queued_at, report.queue_attempts = now, 1
    report.save(update_fields=["queued_at", "queue_attempts"])
    _enqueue(report.pk)


def _audit_request(report: Report, user, *, reused: bool) -> None:
    audit_record(
        action="report.request",
        actor=user,
        obj=report,
        site=report.site,
        summary=f"Asked for {report.get_kind_display().lower()} {report.pk}"
        + (" (already available)" if reused else ""),
        after={
            "kind": report.kind,
            "assessment": report.assessment_id,
            "region": report.region_id,
            "include_guidance": report.include_guidance,
            "reused": reused,
        },
    )


@transaction.atomic
def report_request_site(*, assessment: Assessment, user, include_guidance: bool = False) -> tuple[Report, bool]:
    """Ask for a site report of an assessment, with the guidance appendix or without. Returns the report and whether
    a new job was created.

    The same request twice does not render twice: a job already queued or running for the assessment, or a
    finished report of exactly the same data, either with the same choice of appendix, is returned instead of a new
    one. A job queued longer than PHB_REPORT_REQUEUE_MINUTES with no worker on it (its message was lost) is queued
    again as it is returned.
    """
    Assessment.objects.select_for_update().filter(pk=assessment.pk).first()  # serialise identical requests
    existing = Report.objects.filter(kind=Report.Kind.SITE, assessment=assessment, include_guidance=include_guidance)
    report = existing.filter(state__in=ACTIVE).order_by("-created_at").first()
    if report is None:
        digest = site_report_data(assessment).sha256
        report = existing.filter(state=Report.State.SUCCEEDED, data_sha256=digest).order_by("-created_at").first()
    if report is not None:
        return _reuse(report, user), False
    report = Report.objects.create(
        kind=Report.Kind.SITE,
        assessment=assessment,
        site=assessment.site,
        requested_by=user,
        include_guidance=include_guidance,
        data_sha256=digest,
        queued_at=timezone.now(),
        queue_attempts=1,
    )
    _audit_request(report, user, reused=False)
    _enqueue(report.pk)
    return report, True


def _reuse(report: Report, user) -> Report:
    """An existing job answers a request: queued again first if it is stuck in the queue."""
    now = timezone.now()
    if _stuck(report, now):
        _queue_afresh(report, now)
    _audit_request(report, user, reused=True)
    return report


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
        return _reuse(report, user), False
    report = Report.objects.create(
        kind=Report.Kind.NATIONAL,
        region=region,
        requested_by=user,
        data_sha256=digest,
        queued_at=timezone.now(),
        queue_attempts=1,
    )
    _audit_request(report, user, reused=False)
    _enqueue(report.pk)
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
    _queue_afresh(report, timezone.now())
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
    """Jobs lost on the way: a running job whose worker was lost is marked failed (its page offers a retry); a
    queued job no worker took within PHB_REPORT_REQUEUE_MINUTES is queued again (a new message for the same job),
    and marked failed once PHB_REPORT_QUEUE_ATTEMPTS messages went unanswered. Returns how many jobs it changed.
    Celery beat runs it every minute; the report pages run it too."""
    now = now or timezone.now()
    running = Report.objects.filter(state=Report.State.RUNNING, started_at__lt=now - STALE_AFTER)
    count = running.update(
        state=Report.State.FAILED,
        finished_at=now,
        error=(
            f"The worker rendering this report stopped without finishing it (no result after "
            f"{int(STALE_AFTER.total_seconds())} seconds). Nothing was lost: you can try again."
        ),
    )
    if count:
        logger.warning("Marked %d report job(s) whose worker was lost as failed", count)
    return count + _sweep_queued(now)


def _sweep_queued(now: datetime.datetime) -> int:
    """Queue again, or fail, the jobs stuck in the queue; each taken under its row lock, skipping rows another
    sweep holds, so two sweeps never queue one job twice."""
    attempts = settings.PHB_REPORT_QUEUE_ATTEMPTS
    with transaction.atomic():
        stuck = list(
            Report.objects.alias(since=Coalesce("queued_at", "created_at"))
            .filter(state=Report.State.QUEUED, since__lt=now - requeue_after())
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", "queue_attempts")
        )
        again = [pk for pk, sent in stuck if sent < attempts]
        given_up = [pk for pk, sent in stuck if sent >= attempts]
        if again:
            Report.objects.filter(pk__in=again).update(queued_at=now, queue_attempts=F("queue_attempts") + 1)
            _enqueue(*again)
        if given_up:
            minutes = attempts * settings.PHB_REPORT_REQUEUE_MINUTES
            Report.objects.filter(pk__in=given_up).update(
                state=Report.State.FAILED,
                finished_at=now,
                error=(
                    f"No worker started this report: it was queued {attempts} times over {minutes} minutes. The "
                    f"report service may be busy or down; you can try again."
                ),
            )
    if again:
        logger.warning("Queued again %d report job(s) no worker had taken", len(again))
    if given_up:
        logger.warning("Marked %d report job(s) no worker took as failed", len(given_up))
    return len(again) + len(given_up)


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
    """Render a report's PDF from the data as it is now, signed: the PDF, the time of the data and its SHA-256 (for
    the national report, its data stamp)."""
    from phb_readiness.reports.pdf import memory_release, pdf_render  # WeasyPrint is slow to import

    context: dict = {}
    if report.kind == Report.Kind.SITE:
        data = site_report_data(report.assessment)
        template = "reports/pdf/site_report.html"
    else:
        data = national_report_data(region=report.region)
        template = "reports/pdf/national_report.html"
        # The stored months of the programme over time (one query): a few short lines, whatever the number of sites.
        context["history"] = programme_history(region=report.region)
    pdf = pdf_render(template=template, context={"data": data, "report": report, **context})
    as_of, data_sha256 = data.as_of, data.sha256
    del data
    memory_release()
    # Stored signed: the Report's SHA-256 is the signed file's, the one `sha256sum` gives.
    return pdf_signed(pdf), as_of, data_sha256


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
        if report_store(report=report, pdf=pdf, data_as_of=as_of, data_sha256=digest):
            audit_checkpoint_on_commit()  # a report issued: the audit chain's head is anchored outside the database
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

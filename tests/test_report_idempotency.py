"""The same job delivered twice renders once; the same request twice does not render twice."""

import datetime

import pytest
from django.utils import timezone

from checklists.models import Response
from phb_readiness.reports.models import Report
from phb_readiness.reports.services import STALE_AFTER, report_claim, report_request_site
from phb_readiness.reports.tasks import render_report

pytestmark = pytest.mark.django_db


def test_a_job_delivered_twice_renders_once(world):
    report = Report.objects.create(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    assert render_report.delay(report.pk).get() == Report.State.SUCCEEDED
    report.refresh_from_db()
    first = (report.file.name, report.sha256, report.finished_at)

    assert render_report.delay(report.pk).get() == "nothing to do"
    report.refresh_from_db()
    assert report.attempts == 1
    assert (report.file.name, report.sha256, report.finished_at) == first


def test_a_duplicate_delivery_leaves_a_running_job_to_its_worker(world):
    report = Report.objects.create(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    assert report_claim(report_id=report.pk) is not None  # a worker has it
    assert report_claim(report_id=report.pk) is None  # a second copy of the message does nothing
    report.refresh_from_db()
    assert report.state == Report.State.RUNNING and report.attempts == 1


def test_a_redelivered_job_is_taken_over(world):
    report = Report.objects.create(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    report_claim(report_id=report.pk)
    claimed = report_claim(report_id=report.pk, take_over=True)  # the first worker was lost
    assert claimed is not None and claimed.attempts == 2


def test_a_stale_running_job_is_taken_over_by_any_delivery(world):
    report = Report.objects.create(
        kind=Report.Kind.SITE,
        site=world.site_a,
        assessment=world.assessment_a,
        state=Report.State.RUNNING,
        started_at=timezone.now() - STALE_AFTER - datetime.timedelta(seconds=1),
        attempts=1,
    )
    assert report_claim(report_id=report.pk).attempts == 2


def test_asking_again_for_unchanged_data_returns_the_finished_report(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = report_request_site(assessment=world.assessment_a, user=world.manager_a)
    first.refresh_from_db()
    assert first.state == Report.State.SUCCEEDED

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again, created = report_request_site(assessment=world.assessment_a, user=world.reviewer)
    assert not created and again.pk == first.pk and callbacks == []

    response = world.assessment_a.responses.first()
    response.status = Response.Status.IN_PROGRESS
    response.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        changed, created = report_request_site(assessment=world.assessment_a, user=world.reviewer)
    assert created and changed.pk != first.pk and len(callbacks) == 1

"""A job whose worker was lost is marked failed with a retry, never left "running" for ever."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from phb_readiness.reports.models import Report
from phb_readiness.reports.services import STALE_AFTER, report_sweep_stale

pytestmark = pytest.mark.django_db


def lost_job(world, **fields) -> Report:
    return Report.objects.create(
        kind=Report.Kind.SITE,
        site=world.site_a,
        assessment=world.assessment_a,
        state=Report.State.RUNNING,
        attempts=1,
        started_at=timezone.now() - STALE_AFTER - datetime.timedelta(minutes=1),
        **fields,
    )


def test_the_sweep_fails_only_jobs_past_their_time_limit(world):
    lost = lost_job(world)
    busy = Report.objects.create(
        kind=Report.Kind.SITE,
        site=world.site_a,
        assessment=world.assessment_a,
        state=Report.State.RUNNING,
        attempts=1,
        started_at=timezone.now(),
    )
    assert report_sweep_stale() == 1
    lost.refresh_from_db()
    busy.refresh_from_db()
    assert lost.state == Report.State.FAILED and "stopped without finishing" in lost.error
    assert busy.state == Report.State.RUNNING


def test_a_queued_job_no_worker_took_is_failed_after_an_hour(world):
    report = Report.objects.create(
        kind=Report.Kind.SITE,
        site=world.site_a,
        assessment=world.assessment_a,
        created_at=timezone.now() - datetime.timedelta(hours=2),
    )
    report_sweep_stale()
    report.refresh_from_db()
    assert report.state == Report.State.FAILED


def test_viewing_the_report_sweeps_and_offers_a_retry_that_renders_it(
    client, world, django_capture_on_commit_callbacks
):
    report = lost_job(world, requested_by=world.manager_a)
    client.force_login(world.manager_a)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Failed" in page and "Try again" in page
    assert reverse("reports:retry", args=[report.pk]) in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:retry", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == Report.State.SUCCEEDED and report.attempts == 2 and report.error == ""


def test_only_people_who_may_see_the_report_may_retry_it(client, world):
    report = lost_job(world)
    report_sweep_stale()
    client.force_login(world.manager_b)
    assert client.post(reverse("reports:retry", args=[report.pk])).status_code == 404
    report.refresh_from_db()
    assert report.state == Report.State.FAILED

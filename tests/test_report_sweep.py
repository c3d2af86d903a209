"""A job lost on the way is never left spinning: one whose worker was lost is marked failed with a retry; one whose
message was lost is queued again within minutes, and failed with a reason and a retry after the last attempt."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from phb_readiness.celery import app
from phb_readiness.outbox.models import OutboxMessage
from phb_readiness.reports.models import Report
from phb_readiness.reports.services import STALE_AFTER, report_request_site, report_sweep_stale

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


def lost_message(world, *, minutes_ago: int, **fields) -> Report:
    """A job queued `minutes_ago` whose message never reached a worker: its row says queued, no worker has it."""
    queued_at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return Report.objects.create(
        kind=Report.Kind.SITE,
        site=world.site_a,
        assessment=world.assessment_a,
        requested_by=world.manager_a,
        created_at=queued_at,
        queued_at=queued_at,
        queue_attempts=1,
        **fields,
    )


def render_messages() -> list[list]:
    return list(OutboxMessage.objects.filter(task="reports.render_report").values_list("args", flat=True))


def test_a_job_whose_message_was_lost_is_queued_again_within_minutes(world, django_capture_on_commit_callbacks):
    report = lost_message(world, minutes_ago=0)
    assert report_sweep_stale() == 0  # just queued: a worker may take it yet
    assert report_sweep_stale(now=timezone.now() + datetime.timedelta(minutes=4)) == 0

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert report_sweep_stale(now=timezone.now() + datetime.timedelta(minutes=5, seconds=1)) == 1
    report.refresh_from_db()
    assert (report.state, report.queue_attempts) == (Report.State.QUEUED, 2)
    assert render_messages() == [[report.pk]]  # a new message for the same job

    callbacks[0]()  # the sweep's transaction commits: the message goes out, and the (eager) worker renders it
    report.refresh_from_db()
    assert report.state == Report.State.SUCCEEDED and report.attempts == 1


def test_after_the_last_attempt_the_job_fails_with_a_reason_and_a_retry(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.PHB_REPORT_REQUEUE_MINUTES, settings.PHB_REPORT_QUEUE_ATTEMPTS = 5, 3
    report = lost_message(world, minutes_ago=0)
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=False):  # every message lost again
        for minutes, attempts in ((6, 2), (12, 3)):
            assert report_sweep_stale(now=start + datetime.timedelta(minutes=minutes)) == 1
            report.refresh_from_db()
            assert (report.state, report.queue_attempts) == (Report.State.QUEUED, attempts)
        assert report_sweep_stale(now=start + datetime.timedelta(minutes=18)) == 1
    report.refresh_from_db()
    assert report.state == Report.State.FAILED
    assert report.error.startswith("No worker started this report: it was queued 3 times over 15 minutes.")
    assert len(render_messages()) == 2

    client.force_login(world.manager_a)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "No worker started this report" in page and reverse("reports:retry", args=[report.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:retry", args=[report.pk]))
    report.refresh_from_db()
    assert (report.state, report.queue_attempts) == (Report.State.SUCCEEDED, 1)


def test_a_new_request_queues_a_stuck_job_again(world, django_capture_on_commit_callbacks):
    stuck = lost_message(world, minutes_ago=10)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report, created = report_request_site(assessment=world.assessment_a, user=world.rep_a)
    assert (report.pk, created) == (stuck.pk, False)
    stuck.refresh_from_db()
    assert stuck.queue_attempts == 1 and stuck.queued_at > timezone.now() - datetime.timedelta(minutes=1)
    assert render_messages() == [[stuck.pk]]
    callbacks[0]()
    stuck.refresh_from_db()
    assert stuck.state == Report.State.SUCCEEDED


def test_a_new_request_leaves_a_job_queued_moments_ago_alone(world, django_capture_on_commit_callbacks):
    waiting = lost_message(world, minutes_ago=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report, created = report_request_site(assessment=world.assessment_a, user=world.rep_a)
    assert (report.pk, created) == (waiting.pk, False)
    assert callbacks == [] and render_messages() == []


def test_beat_sweeps_and_flushes_every_minute():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["reports.sweep_stale_reports"] == 60 and schedule["outbox.flush"] == 60
    assert {"reports.sweep_stale_reports", "outbox.flush"} <= set(app.tasks)


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

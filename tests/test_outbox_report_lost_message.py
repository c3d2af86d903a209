"""A report job whose message the broker lost (queued on a real redis-server, then the broker's data gone) is queued
again within minutes by the sweep, or at once by a new request for the same report: a new message, the same job."""

from __future__ import annotations

import datetime

import pytest
import redis
from django.utils import timezone

from phb_readiness.outbox.models import OutboxMessage
from phb_readiness.reports.models import Report
from phb_readiness.reports.services import report_request_site, report_sweep_stale
from tests.outbox_support import Broker

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: each publish runs after one, as in production


def _lose_every_message(broker: Broker) -> None:
    client = redis.Redis.from_url(broker.url)
    try:
        client.flushall()
    finally:
        client.close()


def test_the_sweep_queues_a_lost_job_again_and_a_new_request_does_not_wait_for_it(broker, world):
    report, created = report_request_site(assessment=world.assessment_a, user=world.manager_a)
    assert created and broker.queued() == [("reports.render_report", [report.pk])]
    _lose_every_message(broker)  # no worker will ever see it; the row still says queued

    assert report_sweep_stale(now=timezone.now() + datetime.timedelta(minutes=4)) == 0
    assert broker.queued() == []
    assert report_sweep_stale(now=timezone.now() + datetime.timedelta(minutes=6)) == 1
    assert broker.queued() == [("reports.render_report", [report.pk])]
    report.refresh_from_db()
    assert (report.state, report.queue_attempts) == (Report.State.QUEUED, 2)

    _lose_every_message(broker)
    Report.objects.filter(pk=report.pk).update(queued_at=timezone.now() - datetime.timedelta(minutes=6))
    again, created = report_request_site(assessment=world.assessment_a, user=world.rep_a)
    assert (again.pk, created) == (report.pk, False)
    assert broker.queued() == [("reports.render_report", [report.pk])]
    assert not OutboxMessage.objects.filter(published_at__isnull=True).exists()

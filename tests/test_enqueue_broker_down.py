"""A broker that cannot be reached does not turn a saved change into a server error, nor lose the work it causes:
the e-mail or report job waits in the outbox and goes out with the next flush; mail that fails is retried."""

import logging
import smtplib
from contextlib import contextmanager
from unittest.mock import patch

import pytest
from django.core import mail
from django.urls import reverse
from kombu.exceptions import OperationalError

from checklists.models import Comment
from checklists.tasks import send_notification
from phb_readiness.celery import app
from phb_readiness.outbox.models import OutboxMessage
from phb_readiness.outbox.services import outbox_flush
from phb_readiness.reports.models import Report
from phb_readiness.reports.tasks import render_report
from tests.partnership_support import first_response

pytestmark = pytest.mark.django_db

NOTIFICATIONS = "phb_readiness.inbox.services"  # where the e-mails of notifications are sent
OUTBOX = "phb_readiness.outbox.services"  # the module that publishes, and its logger
REFUSED = OperationalError("Error 111 connecting to redis:6379. Connection refused.")


@contextmanager
def _broker_down(task):
    """A broker configured (tasks are published, not run here) that refuses as kombu does when it is down."""
    app.conf.task_always_eager = False
    try:
        with patch.object(task, "apply_async", side_effect=REFUSED) as send:
            yield send
    finally:
        app.conf.task_always_eager = True


def _raise_concern(client, world):
    client.force_login(world.rep_a)
    response = first_response(world.assessment_a)
    return client.post(
        reverse("partnership:concern_create", args=[world.assessment_a.pk, response.item.code]),
        {"body": "Staff not consulted."},
    )


def test_a_concern_is_saved_and_its_mail_kept_when_the_broker_is_down(
    client, world, django_capture_on_commit_callbacks, caplog
):
    with _broker_down(send_notification) as send, caplog.at_level(logging.WARNING, logger=OUTBOX):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = _raise_concern(client, world)

    assert response.status_code == 302
    assert len(callbacks) == 1 and send.call_count == 1
    concern = Comment.objects.get(is_concern=True)
    assert concern.body == "Staff not consulted."
    assert mail.outbox == []
    (row,) = OutboxMessage.objects.all()
    assert row.args[:3] == ["concern.raised", concern.pk, world.rep_a.pk]  # and its token
    assert row.published_at is None and row.failures == 1 and "Connection refused" in row.last_error
    (record,) = [r for r in caplog.records if r.name == OUTBOX]
    assert "kept in the outbox" in record.getMessage()

    # The broker is back (here: tasks run in-process): the flush sends the e-mail.
    assert outbox_flush().sent == 1
    assert [message.to for message in mail.outbox] == [[world.manager_a.email]]
    row.refresh_from_db()
    assert row.published_at is not None


def test_an_error_that_is_not_the_broker_still_raises(client, world, django_capture_on_commit_callbacks):
    with patch.object(send_notification, "apply_async", side_effect=TypeError("a bug of ours")):
        with pytest.raises(TypeError), django_capture_on_commit_callbacks(execute=True):
            _raise_concern(client, world)


def test_a_site_report_waits_for_the_broker_instead_of_failing(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.manager_a)
    with _broker_down(render_report), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:request_site", args=[world.assessment_a.pk]))

    report = Report.objects.get(assessment=world.assessment_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    assert (report.state, report.error, report.queue_attempts) == (Report.State.QUEUED, "", 1)
    assert OutboxMessage.objects.get().args == [report.pk]
    page = client.get(response["Location"]).content.decode()
    assert "Your report has been queued." in page

    # The broker is back: the flush queues it and the (eager) worker renders it.
    assert outbox_flush().sent == 1
    report.refresh_from_db()
    assert (report.state, report.error) == (Report.State.SUCCEEDED, "")


def test_the_national_report_waits_for_the_broker_instead_of_failing(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.reviewer)
    with _broker_down(render_report), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:request_national"))
    assert response.status_code == 302
    report = Report.objects.get(kind=Report.Kind.NATIONAL)
    assert report.state == Report.State.QUEUED
    assert outbox_flush().sent == 1
    report.refresh_from_db()
    assert report.state == Report.State.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_the_request_itself_answers_with_a_redirect(client, world):
    """Outside a test transaction the commit, and so the first publish, happens inside the request."""
    client.force_login(world.manager_a)
    with _broker_down(render_report) as send:
        response = client.post(reverse("reports:request_site", args=[world.assessment_a.pk]))
        assert send.call_count == 1
        assert response.status_code == 302
        assert Report.objects.get().state == Report.State.QUEUED
        assert OutboxMessage.objects.get(published_at__isnull=True).failures == 1
        page = client.get(response["Location"]).content.decode()
    assert "Your report has been queued." in page


@pytest.fixture
def eager_retries():
    """Eager tasks that retry in-process as a worker would (the suite's eager tasks raise instead, retries and all)."""
    from phb_readiness.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


class FlakyConnection:
    """The mail server drops the connection `failures` times, then delivers (to Django's test outbox)."""

    def __init__(self, failures: int, error: Exception):
        self.failures, self.error, self.calls = failures, error, 0

    def __call__(self, *args, **kwargs):
        return self

    def send_messages(self, messages):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        mail.outbox.extend(messages)
        return len(messages)

    def close(self):
        pass


def test_the_notification_task_retries_a_mail_server_that_is_down(
    client, world, django_capture_on_commit_callbacks, eager_retries
):
    flaky = FlakyConnection(2, smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    with patch(f"{NOTIFICATIONS}.get_connection", flaky), django_capture_on_commit_callbacks(execute=True):
        assert _raise_concern(client, world).status_code == 302
    assert flaky.calls == 3
    assert [message.to for message in mail.outbox] == [[world.manager_a.email]]


def test_a_refused_recipient_is_not_retried(client, world, django_capture_on_commit_callbacks, eager_retries):
    flaky = FlakyConnection(1, smtplib.SMTPRecipientsRefused({"manager-a@example.nhs.invalid": (550, b"No such user")}))
    with patch(f"{NOTIFICATIONS}.get_connection", flaky), django_capture_on_commit_callbacks(execute=True):
        _raise_concern(client, world)
    assert flaky.calls == 1
    assert mail.outbox == []


def test_the_notification_task_gives_up_after_five_retries(
    client, world, django_capture_on_commit_callbacks, eager_retries
):
    flaky = FlakyConnection(99, ConnectionRefusedError(111, "Connection refused"))
    with patch(f"{NOTIFICATIONS}.get_connection", flaky), django_capture_on_commit_callbacks(execute=True):
        assert _raise_concern(client, world).status_code == 302
    assert flaky.calls == 1 + 5
    assert mail.outbox == []
    assert Comment.objects.filter(is_concern=True).exists()


def test_the_retries_wait_longer_each_time():
    assert send_notification.retry_backoff and send_notification.retry_jitter
    assert send_notification.retry_backoff_max <= 600

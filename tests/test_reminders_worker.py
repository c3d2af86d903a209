"""End to end on PostgreSQL: Celery beat triggers the reminder job, a real worker runs it, writes the reminder and
sends its e-mail once (CI: Redis and PostgreSQL; console mail in the worker's log)."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest

from phb_readiness.celery import app
from phb_readiness.inbox.models import InboxMessage
from tests.reminders_support import days, owned_item, today

pytestmark = pytest.mark.worker


@contextmanager
def running_beat(worker):
    """`celery -A phb_readiness beat` on the worker's queue, with the reminders' entry due every second."""
    log_path = worker.log_file.parent / "beat.log"
    env = {
        **os.environ,
        "CELERY_TASK_DEFAULT_QUEUE": app.conf.task_default_queue,
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "test-beat-secret-key-" + "x" * 40),
    }
    with open(log_path, "w") as log:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "phb_readiness", "beat", "--loglevel=INFO"]
            + ["--scheduler", "tests.beat_support:RemindersEverySecond"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield lambda: log_path.read_text()
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_beat_and_the_worker_send_a_reminder_once(celery_worker, world):
    response = owned_item(world.assessment_a, world.contributor_a, today() + days(7))
    subject = f"Subject: Due in 7 days: {response.item.code} at {world.site_a.name}"
    with running_beat(celery_worker) as beat_log:
        deadline = time.monotonic() + 60
        while subject not in celery_worker.log():
            assert time.monotonic() < deadline, f"no reminder e-mail:\n{celery_worker.log()}\n{beat_log()}"
            time.sleep(0.5)
        # beat goes on sending the job every second: it finds the reminder already sent, and sends nothing more
        runs = celery_worker.log().count("checklists.send_reminders[")
        while celery_worker.log().count("checklists.send_reminders[") < runs + 4:
            assert time.monotonic() < deadline + 30, f"beat stopped:\n{beat_log()}"
            time.sleep(0.5)
    log = celery_worker.log()
    assert log.count(subject) == 1
    assert f"To: {world.contributor_a.email}" in log and "inbox.send_emails[" in log
    assert "Sending due task send-reminders (checklists.send_reminders)" in beat_log()
    (message,) = InboxMessage.objects.filter(user=world.contributor_a)
    assert message.kind == "reminder.due_7" and message.emailed_at is not None

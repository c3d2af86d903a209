"""The outbox: messages are written with the change (one insert, rolled back with it), published once it commits,
kept while the broker refuses them and published by the flush, oldest first, each once."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from checklists.services.notifications import Event, notify
from phb_readiness.outbox.models import OutboxMessage
from phb_readiness.outbox.services import KEEP_PUBLISHED, outbox_add, outbox_flush
from tests.outbox_support import TASK, fake_broker
from tests.query_counts import counted

pytestmark = pytest.mark.django_db


def waiting() -> list[list]:
    return list(OutboxMessage.objects.filter(published_at__isnull=True).values_list("args", flat=True))


def test_a_notification_costs_its_transaction_one_insert(world):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        notify(Event.ASSESSMENT_SUBMITTED, world.assessment_a.pk, actor=world.manager_a)
    (sql,) = counted(queries)
    assert sql.startswith('INSERT INTO "outbox_outboxmessage"')


def test_messages_are_written_in_one_insert_and_published_after_the_commit(django_capture_on_commit_callbacks):
    with fake_broker() as accepted:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            with CaptureQueriesContext(connection) as queries:
                outbox_add(messages=[(TASK, ["concern.raised", n, None]) for n in (1, 2, 3)])
        assert len(counted(queries)) == 1
        assert accepted == [] and len(waiting()) == 3  # nothing is sent before the commit
        (publish,) = callbacks
        publish()
    assert accepted == [["concern.raised", 1, None], ["concern.raised", 2, None], ["concern.raised", 3, None]]
    assert waiting() == []


def test_a_rolled_back_change_leaves_no_message(django_capture_on_commit_callbacks):
    with fake_broker() as accepted, django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox_add(messages=[(TASK, ["concern.raised", 1, None])])
            raise RuntimeError("a later step failed")
    assert callbacks == [] and accepted == [] and not OutboxMessage.objects.exists()


def test_a_refused_message_waits_and_the_flush_sends_the_oldest_first(django_capture_on_commit_callbacks):
    with fake_broker(refuse_after=0), django_capture_on_commit_callbacks(execute=True):
        for n in (1, 2, 3):
            with transaction.atomic():
                outbox_add(messages=[(TASK, ["concern.raised", n, None])])
    assert [args[1] for args in waiting()] == [1, 2, 3]
    assert set(OutboxMessage.objects.values_list("failures", flat=True)) == {1}

    with fake_broker(refuse_after=1) as accepted:  # the broker takes one message, then goes down again
        flushed = outbox_flush()
    assert accepted == [["concern.raised", 1, None]]
    assert (flushed.sent, flushed.waiting) == (1, 2) and "Connection refused" in flushed.error
    assert [args[1] for args in waiting()] == [2, 3]  # marked published only once the broker accepted it

    with fake_broker() as accepted:
        assert outbox_flush().sent == 2
        assert outbox_flush().sent == 0  # nothing twice
    assert [args[1] for args in accepted] == [2, 3]


def test_a_message_naming_no_task_is_kept_and_the_others_go():
    OutboxMessage.objects.create(task="checklists.no_such_task", args=[])
    OutboxMessage.objects.create(task=TASK, args=["concern.raised", 1, None])
    with fake_broker() as accepted:
        flushed = outbox_flush()
    assert accepted == [["concern.raised", 1, None]] and (flushed.sent, flushed.waiting) == (1, 1)
    kept = OutboxMessage.objects.get(published_at__isnull=True)
    assert kept.task == "checklists.no_such_task" and "No task named" in kept.last_error


def test_published_messages_are_deleted_after_a_week():
    now = timezone.now()
    old = OutboxMessage.objects.create(task=TASK, published_at=now - KEEP_PUBLISHED - datetime.timedelta(hours=1))
    recent = OutboxMessage.objects.create(task=TASK, published_at=now - datetime.timedelta(days=1))
    unsent = OutboxMessage.objects.create(task=TASK, created_at=now - datetime.timedelta(days=30), args=["x", 1])
    with fake_broker(refuse_after=0):
        assert outbox_flush(now=now).deleted == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, unsent.pk} != {old.pk}


def test_without_a_broker_the_flush_runs_the_tasks_here(world):
    """The embedded run: a message left waiting (say, by a save in a process that stopped) runs in-process."""
    OutboxMessage.objects.create(task=TASK, args=["assessment.submitted", world.assessment_a.pk, None])
    call_command("outbox_flush")
    assert waiting() == [] and mail.outbox and mail.outbox[0].subject.startswith("Submitted for review")


def test_the_command_says_what_it_did_and_fails_while_the_broker_refuses(capsys):
    OutboxMessage.objects.create(task=TASK, args=["concern.raised", 1, None])
    with fake_broker(refuse_after=0), pytest.raises(CommandError, match="Connection refused"):
        call_command("outbox_flush")
    assert "Published 0 message(s); 1 waiting." in capsys.readouterr().out
    with fake_broker():
        call_command("outbox_flush")
    assert "Published 1 message(s); 0 waiting." in capsys.readouterr().out

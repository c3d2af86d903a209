"""The outbox: task messages written with the change that causes them, then published to the broker.

A service that must start background work (an e-mail, a report render) calls `outbox_add` inside its transaction:
the messages are rows of `OutboxMessage`, committed or rolled back with the change, in one insert. Once the
transaction commits they are published at once (`outbox_publish`), so the work starts as soon as it did before; a
message the broker did not accept (it was down, or unreachable) stays in the table, and Celery beat's `outbox.flush`
(every minute; `manage.py outbox_flush` by hand) publishes whatever is left, oldest first. A row is marked published
only after the broker accepted its message, so nothing is dropped; a message may exceptionally go out twice (the
broker accepted it and the database was lost before the row was marked), so tasks re-load their rows and re-check.

Without a broker (tasks run in-process: `task_always_eager`) the rows are marked published and the tasks run right
after, outside the outbox's transaction, as they ran before the outbox. A view whose work would hold its response
for seconds (a PDF) can take them instead (`in_process_tasks_taken`) and run them on a thread of their own
(`in_process_tasks_start`), as a worker would, while its response goes out.

This app imports neither checklists nor reports: they import it, and name their tasks by Celery name.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from celery import shared_task
from celery.exceptions import NotRegistered
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from phb_readiness.celery import app
from phb_readiness.outbox.models import OutboxMessage

logger = logging.getLogger(__name__)

# What sending a task raises when the broker cannot be reached: kombu turns the transport's connection errors into
# its OperationalError, and a socket error or timeout (OSError: ConnectionError, TimeoutError) can still get through.
BROKER_ERRORS = (BrokerOperationalError, OSError)
# Rows published longer ago than this are deleted by the flush (kept a while to answer "did it go out?").
KEEP_PUBLISHED = datetime.timedelta(days=7)
BATCH = 100


@dataclass(frozen=True)
class Published:
    sent: int
    error: str = ""  # why the broker refused the rest, when it did


def outbox_add(*, messages: Iterable[tuple[str, Sequence[Any]]]) -> list[int]:
    """Write task messages (Celery task name, positional arguments) in the current transaction, in one insert, and
    publish them once it commits. Returns the rows' ids."""
    rows = OutboxMessage.objects.bulk_create(OutboxMessage(task=task, args=list(args)) for task, args in messages)
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(partial(outbox_publish, ids=ids))
    return ids


def outbox_publish(*, ids: Sequence[int] | None = None, limit: int = BATCH) -> Published:
    """Publish unpublished messages (these, or the oldest `limit`), each marked published once the broker accepted
    it. Rows another process is publishing are skipped (on PostgreSQL, `FOR UPDATE SKIP LOCKED`), so two flushes
    never send one message twice. The first broker error ends the batch: the rest wait for the next flush."""
    if app.conf.task_always_eager:
        return _run_in_process(ids=ids, limit=limit)
    sent: list[int] = []
    error = ""
    with transaction.atomic():
        for row in _pending(ids=ids, limit=limit):
            try:
                _task(row.task).apply_async(args=row.args)
            except NotRegistered:  # a task renamed or removed since: say so, and let the others go
                logger.error("Outbox message %s names no known task %r; left unpublished", row.pk, row.task)
                _failed(row, f"No task named {row.task!r}.")
                continue
            except BROKER_ERRORS as exc:
                error = f"{type(exc).__name__}: {exc}"
                _failed(row, error)
                break
            sent.append(row.pk)
        if sent:
            OutboxMessage.objects.filter(pk__in=sent).update(published_at=timezone.now())
    if error:
        logger.warning("The broker did not accept a message (%s); kept in the outbox for the next flush", error)
    return Published(sent=len(sent), error=error)


def _task(name: str):
    """The task of that name; a process that has not imported the apps' task modules yet (a management command)
    imports them first."""
    try:
        return app.tasks[name]
    except NotRegistered:
        app.loader.import_default_modules()
        return app.tasks[name]


def _pending(*, ids: Sequence[int] | None, limit: int) -> list[OutboxMessage]:
    pending = OutboxMessage.objects.filter(published_at__isnull=True)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    return list(pending.select_for_update(skip_locked=True).order_by("created_at", "id")[:limit])


def _failed(row: OutboxMessage, error: str) -> None:
    OutboxMessage.objects.filter(pk=row.pk).update(failures=F("failures") + 1, last_error=error[:2000])


def _run_in_process(*, ids: Sequence[int] | None, limit: int) -> Published:
    """No broker: mark the messages published, then run their tasks here, each outside the outbox's transaction (a
    task's own transactions commit as they would in a worker, and its errors surface as before); or hand them to
    the code that asked to take them (`in_process_tasks_taken`)."""
    with transaction.atomic():
        rows = _pending(ids=ids, limit=limit)
        OutboxMessage.objects.filter(pk__in=[row.pk for row in rows]).update(published_at=timezone.now())
    taken = getattr(_taken, "tasks", None)
    for row in rows:
        if taken is not None:
            taken.append((row.task, list(row.args)))
        else:
            _task(row.task).apply_async(args=row.args)
    return Published(sent=len(rows))


# The in-process tasks this thread's `in_process_tasks_taken` block collects (None outside one).
_taken = threading.local()


@contextmanager
def in_process_tasks_taken() -> Iterator[list[tuple[str, list]]]:
    """Collect, rather than run, the in-process tasks published inside the block (no broker): (task, args) pairs
    for `in_process_tasks_start`. With a broker nothing is collected: workers run them."""
    previous = getattr(_taken, "tasks", None)
    _taken.tasks = tasks = []
    try:
        yield tasks
    finally:
        _taken.tasks = previous


def in_process_tasks_start(tasks: Sequence[tuple[str, list]]) -> threading.Thread:
    """Run taken tasks one after another on a thread of their own, as one worker would. A task that fails is logged;
    its row (a report job) says what became of it, and the sweeps queue a job again that never finished."""

    def work() -> None:
        try:
            for name, args in tasks:
                try:
                    _task(name).apply_async(args=args)
                except Exception:
                    logger.exception("In-process task %s%r failed", name, tuple(args))
        finally:
            connections.close_all()  # this thread's own database connections

    thread = threading.Thread(target=work, name="in-process-tasks", daemon=True)
    thread.start()
    return thread


@dataclass(frozen=True)
class Flushed:
    sent: int
    waiting: int
    deleted: int
    error: str


def outbox_flush(*, now: datetime.datetime | None = None) -> Flushed:
    """Publish every message still waiting, oldest first, in batches, until none is left or the broker refuses one;
    then delete rows published more than KEEP_PUBLISHED ago."""
    sent = 0
    while True:
        batch = outbox_publish(limit=BATCH)
        sent += batch.sent
        if batch.error or batch.sent < BATCH:
            break
    now = now or timezone.now()
    deleted, _ = OutboxMessage.objects.filter(published_at__lt=now - KEEP_PUBLISHED).delete()
    waiting = OutboxMessage.objects.filter(published_at__isnull=True).count()
    if sent or waiting:
        logger.info("Outbox: %d message(s) published, %d waiting", sent, waiting)
    return Flushed(sent=sent, waiting=waiting, deleted=deleted, error=batch.error)


@shared_task(name="outbox.flush", ignore_result=True)
def flush_outbox() -> int:
    """Celery beat runs this every minute (settings.CELERY_BEAT_SCHEDULE)."""
    return outbox_flush().sent

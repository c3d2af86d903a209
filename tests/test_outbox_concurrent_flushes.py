"""Two flushes at once (two beat runs overlapping, or beat and `manage.py outbox_flush`) never send one message
twice: each takes its rows FOR UPDATE SKIP LOCKED. PostgreSQL only: SQLite has one writer at a time anyway."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from phb_readiness.outbox.models import OutboxMessage
from phb_readiness.outbox.services import outbox_flush, outbox_publish
from tests.outbox_support import TASK, fake_broker

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks that skip: PostgreSQL only (set DATABASE_URL)")


def _in_thread(target, results: list) -> threading.Thread:
    def run():
        try:
            results.append(target())
        finally:
            connections.close_all()

    return threading.Thread(target=run)


def test_two_flushes_at_once_send_each_message_once():
    OutboxMessage.objects.bulk_create(OutboxMessage(task=TASK, args=["concern.raised", n, None]) for n in range(20))
    results: list = []
    with fake_broker(delay=0.02) as accepted:  # a slow broker: the two flushes overlap
        threads = [_in_thread(outbox_flush, results) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(args[1] for args in accepted) == list(range(20))  # every message, each once
    assert sum(flushed.sent for flushed in results) == 20
    assert not OutboxMessage.objects.filter(published_at__isnull=True).exists()


def test_a_flush_skips_the_rows_another_publisher_holds():
    first, second = OutboxMessage.objects.bulk_create(
        OutboxMessage(task=TASK, args=["concern.raised", n, None]) for n in (1, 2)
    )
    held, release = threading.Event(), threading.Event()

    def hold_first():
        with transaction.atomic():
            list(OutboxMessage.objects.select_for_update().filter(pk=first.pk))
            held.set()
            release.wait(timeout=30)

    results: list = []
    holder = _in_thread(hold_first, results)
    holder.start()
    assert held.wait(timeout=30)
    try:
        with fake_broker() as accepted:
            assert outbox_publish().sent == 1  # without waiting for the held row
    finally:
        release.set()
        holder.join(timeout=30)
    assert accepted == [["concern.raised", 2, None]]
    assert list(OutboxMessage.objects.filter(published_at__isnull=True).values_list("pk", flat=True)) == [first.pk]
    assert second.pk not in OutboxMessage.objects.filter(published_at__isnull=True).values_list("pk", flat=True)

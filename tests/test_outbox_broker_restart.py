"""A notification raised while the broker is down is kept in the outbox and delivered once the broker is back: a
real redis-server of the test's own, stopped and started again, the queue read to see the message arrive."""

from __future__ import annotations

import time

import pytest

from checklists.services.comments import comment_create
from phb_readiness.outbox.models import OutboxMessage
from phb_readiness.outbox.services import outbox_flush
from phb_readiness.sites.models import SiteRole
from tests.outbox_support import Broker, celery_over, free_port
from tests.partnership_support import first_response

pytestmark = pytest.mark.django_db(transaction=True)  # a real commit: the publish after it runs as in production


def untokened(queued: list[tuple[str, list]]) -> list[tuple[str, list]]:
    """The messages without their last argument, the notification's own token (a new one each time)."""
    return [(task, args[:3]) for task, args in queued]


def _raise_concern(world) -> int:
    concern = comment_create(
        response=first_response(world.assessment_a),
        user=world.rep_a,
        role=SiteRole.UNION_REP,
        body="Raised while the broker was down.",
        is_concern=True,
    )
    return concern.pk


def test_a_notification_raised_while_the_broker_is_stopped_is_delivered_after_it_starts(broker, world):
    broker.stop()
    started = time.monotonic()
    concern_id = _raise_concern(world)  # commits; the publish right after it is refused
    assert time.monotonic() - started < 10, "a broker that is down held the save up"

    (row,) = OutboxMessage.objects.all()
    assert (row.task, row.args[:3]) == ("checklists.send_notification", ["concern.raised", concern_id, world.rep_a.pk])
    assert row.published_at is None and row.failures == 1 and row.last_error

    flushed = outbox_flush()  # still down: nothing lost, nothing marked
    assert (flushed.sent, flushed.waiting) == (0, 1) and flushed.error
    row.refresh_from_db()
    assert row.published_at is None and row.failures == 2

    broker.start()  # an empty broker: whatever it holds now, the flush sent
    assert broker.queued() == []
    flushed = outbox_flush()
    assert (flushed.sent, flushed.waiting, flushed.error) == (1, 0, "")
    row.refresh_from_db()
    assert row.published_at is not None
    assert untokened(broker.queued()) == [
        ("checklists.send_notification", ["concern.raised", concern_id, world.rep_a.pk])
    ]

    assert outbox_flush().sent == 0  # published once, never again
    assert len(broker.queued()) == 1


def test_a_broker_on_a_closed_port_keeps_the_message_until_one_answers(world):
    port = free_port()
    with celery_over(f"redis://127.0.0.1:{port}/0"):
        concern_id = _raise_concern(world)
        assert OutboxMessage.objects.get().published_at is None
        assert outbox_flush().sent == 0

        broker = Broker(port)
        broker.start()
        try:
            assert outbox_flush().sent == 1
            assert untokened(broker.queued()) == [
                ("checklists.send_notification", ["concern.raised", concern_id, world.rep_a.pk])
            ]
        finally:
            broker.stop()
    assert OutboxMessage.objects.get().published_at is not None


def test_with_the_broker_up_the_message_goes_out_on_commit(broker, world):
    concern_id = _raise_concern(world)
    assert OutboxMessage.objects.get().published_at is not None
    assert untokened(broker.queued()) == [
        ("checklists.send_notification", ["concern.raised", concern_id, world.rep_a.pk])
    ]

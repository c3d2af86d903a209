"""Brokers for the outbox tests: a redis-server of the test's own on a free port, stopped and started, with the Celery
app pointed at it (not eager), so a message is really refused while it is down and really queued once it is up;
and an in-memory stand-in that records what it accepted or refuses as kombu does."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from unittest.mock import patch

import kombu.pools
import pytest
import redis
from kombu.exceptions import OperationalError

from checklists.tasks import send_notification
from phb_readiness.celery import app

REDIS_SERVER = shutil.which("redis-server")
TASK = "checklists.send_notification"
REFUSED = OperationalError("Error 111 connecting to redis:6379. Connection refused.")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Broker:
    """redis-server on 127.0.0.1:port, without persistence; `stop()` and `start()` as often as the test needs."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if REDIS_SERVER is None:
            pytest.skip("redis-server is not installed")
        self.process = subprocess.Popen(  # noqa: S603 - a fixed program on loopback
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def queued(self, queue: str = "celery") -> list[tuple[str, list]]:
        """The messages waiting in a queue, oldest first, as (task name, positional arguments)."""
        client = redis.Redis.from_url(self.url)
        try:
            raw = client.lrange(queue, 0, -1)
        finally:
            client.close()
        messages = []
        for item in reversed(raw):  # kombu pushes on the left and pops on the right
            message = json.loads(item)
            args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            messages.append((message["headers"]["task"], args))
        return messages


def _drop_connections() -> None:
    """Celery keeps its broker connections and producers in kombu's pools, per URL, and its own handles on them:
    close and forget them all (as after a fork), so the next publish connects to the URL set now."""
    kombu.pools.reset()
    app._pool = app.amqp._producer_pool = None


@contextmanager
def celery_over(url: str):
    """The Celery app publishing to `url` for real (not eager), its pooled connections dropped before and after."""
    saved = app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue
    saved_environ = os.environ.get("CELERY_BROKER_URL")  # Celery reads it before its own setting (CI sets it)
    _drop_connections()
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = url, False, "celery"
    try:
        yield app
    finally:
        _drop_connections()
        app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = saved
        if saved_environ is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_environ


@contextmanager
def fake_broker(*, refuse_after: int | None = None, delay: float = 0.0):
    """A broker configured (notification tasks are published, not run here), in memory: the arguments of the calls
    it accepted, in order; with `refuse_after`, it refuses every call after that many, as kombu does when down."""
    accepted: list[list] = []

    def publish(args=None, **options):
        if refuse_after is not None and len(accepted) >= refuse_after:
            raise REFUSED
        time.sleep(delay)
        accepted.append(args)

    app.conf.task_always_eager = False
    try:
        with patch.object(send_notification, "apply_async", side_effect=publish):
            yield accepted
    finally:
        app.conf.task_always_eager = True

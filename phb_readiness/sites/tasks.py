"""A task that proves a worker is alive and reaches the database (CI runs it through a real worker)."""

import socket

from celery import shared_task
from django.db import connection


@shared_task(name="phb_readiness.worker_ping")
def worker_ping(token: str) -> dict:
    from phb_readiness.sites.models import Region

    Region.objects.get_or_create(code=f"PING-{token}"[:16], defaults={"name": f"Worker ping {token}"})
    return {"host": socket.gethostname(), "database": connection.vendor, "token": token}

"""A task that proves a worker is alive and reaches the database (CI runs it through a real worker).

It writes nothing: it asks the database server which database it is connected to and returns that with the token
it was given. Its result is kept (unlike other tasks') when a result backend is configured, so a caller can read
the answer back; the tests do, over Redis.
"""

import socket

from celery import shared_task
from django.db import connection


def connected_database() -> str:
    """The name of the database this process is connected to, as the server reports it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_database()")
            return cursor.fetchone()[0]
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return str(connection.settings_dict["NAME"])


@shared_task(name="phb_readiness.worker_ping", ignore_result=False)
def worker_ping(token: str) -> dict:
    return {
        "host": socket.gethostname(),
        "database": connection.vendor,
        "database_name": connected_database(),
        "token": token,
    }

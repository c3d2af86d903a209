"""/healthz: is the database answering, and the broker (or in-process tasks)?"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def database_state() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported by class name only
        return {"vendor": connection.vendor, "ok": False, "error": type(exc).__name__}
    return {"vendor": connection.vendor, "ok": True}


def broker_state() -> dict:
    if not settings.CELERY_BROKER_URL:
        return {"transport": "in-process", "ok": True}
    from kombu import Connection

    transport = settings.CELERY_BROKER_URL.split(":", 1)[0]
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return {"transport": transport, "ok": False, "error": type(exc).__name__}
    return {"transport": transport, "ok": True}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database, broker = database_state(), broker_state()
    healthy = database["ok"] and broker["ok"]
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )

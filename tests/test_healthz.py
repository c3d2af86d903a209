"""/healthz names the database and the broker with their state: 200 when both answer, 503 otherwise."""

from django.db.utils import OperationalError


def test_healthy(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["database"]["vendor"] in {"sqlite", "postgresql"}
    assert body["broker"]["ok"]


class UnreachableDatabase:
    vendor = "postgresql"

    def cursor(self):
        raise OperationalError("connection refused")


def test_database_down_gives_503(client, db, monkeypatch):
    from phb_readiness import health

    monkeypatch.setattr(health, "connection", UnreachableDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"vendor": "postgresql", "ok": False, "error": "OperationalError"}


def test_broker_down_gives_503(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False

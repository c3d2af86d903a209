"""Production settings fail fast without a secret key, and pass Django's deploy checks when configured."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DATABASE_URL": "sqlite:////tmp/phb-deploy-check.sqlite3",
    "DJANGO_ALLOWED_HOSTS": "phb-readiness.example.nhs.uk",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "PHB_AUDIT_KEY": "audit-key-for-the-deploy-check-" + "q7Vw" * 8,
}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = manage("check", env=PRODUCTION)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_deploy_check_is_clean_with_production_variables():
    env = {**PRODUCTION, "DJANGO_SECRET_KEY": "k" * 20 + "-production-like-secret-" + "z8Qm!4" * 6}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_defaults_on_only_for_the_embedded_run():
    code = "from django.conf import settings; print(settings.DEBUG, settings.CELERY_TASK_ALWAYS_EAGER)"
    embedded = manage("shell", "-c", code, env={})
    assert embedded.stdout.split()[-2:] == ["True", "True"]
    configured = manage("shell", "-c", code, env={**PRODUCTION, "DJANGO_SECRET_KEY": "s" * 60})
    assert configured.stdout.split()[-2:] == ["False", "False"]

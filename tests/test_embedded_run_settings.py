"""The embedded run (`make run`, no DATABASE_URL, no broker): e-mail links follow the port it serves on, and kombu's
"No hostname was supplied" warning, meaningless without a broker, is not logged; a configured setting wins."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRINT_BASE_URL = "from django.conf import settings; print(settings.PHB_BASE_URL)"
TAKE_A_PRODUCER = (
    "import django; django.setup()\n"
    "from phb_readiness.celery import app\n"
    "with app.producer_or_acquire():\n"
    "    pass\n"
    "print('done')\n"
)


def _run(code: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "PHB_BASE_URL", "PORT", "DJANGO_DEBUG"}
    }
    clean.update(DJANGO_SETTINGS_MODULE="phb_readiness.settings", PHB_VAR_DIR=str(tmp_path), **env)
    if "import django" not in code:
        code = "import django; django.setup()\n" + code
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120, check=True
    )


def test_email_links_use_the_port_the_embedded_run_serves_on(tmp_path):
    assert _run(PRINT_BASE_URL, tmp_path).stdout.strip() == "http://127.0.0.1:8000"
    assert _run(PRINT_BASE_URL, tmp_path, PORT="18101").stdout.strip() == "http://127.0.0.1:18101"


def test_an_explicit_base_url_wins(tmp_path):
    got = _run(PRINT_BASE_URL, tmp_path, PORT="18101", PHB_BASE_URL="https://phb.example.nhs.uk")
    assert got.stdout.strip() == "https://phb.example.nhs.uk"


@pytest.mark.parametrize(
    ("broker", "warned"),
    [pytest.param(None, False, id="no-broker-silent"), pytest.param("amqp://", True, id="configured-broker-warns")],
)
def test_the_no_hostname_warning_only_where_a_broker_is_configured(tmp_path, broker, warned):
    got = _run(TAKE_A_PRODUCER, tmp_path, **({"CELERY_BROKER_URL": broker} if broker else {}))
    assert got.stdout.strip() == "done"
    assert ("No hostname was supplied" in got.stderr) is warned

"""The benchmark is an app of its own, there only where PHB_BENCH is on: installed, routed, its command known."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import get_commands
from django.http import Http404
from django.test import RequestFactory
from django.urls import NoReverseMatch, get_resolver, reverse

from phb_readiness.bench.views import bench_floor
from tests.bench.support import phb_bench


def _routes(patterns=None, prefix: str = "") -> list[str]:
    routes = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if hasattr(pattern, "url_patterns"):
            routes += _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            routes.append(prefix + str(pattern.pattern))
    return routes


def test_production_urls_have_no_bench_routes():
    with phb_bench(on=False):
        assert not [route for route in _routes() if route.startswith("bench")]
        with pytest.raises(NoReverseMatch):
            reverse("bench:floor")
        assert not apps.is_installed("phb_readiness.bench")
        assert "benchmark" not in get_commands()


def test_without_phb_bench_the_floor_is_not_found(db, client):
    with phb_bench(on=False):
        assert client.get("/bench/floor").status_code == 404


def test_with_phb_bench_the_app_is_installed_and_routed(db, client, bench_on):
    assert settings.PHB_BENCH is True
    assert apps.is_installed("phb_readiness.bench")
    assert get_commands()["benchmark"] == "phb_readiness.bench"
    assert reverse("bench:floor") == "/bench/floor"
    response = client.get("/bench/floor")
    assert response.status_code == 200
    assert response.content == b"floor\n"


def test_the_floor_view_refuses_without_the_flag(settings):
    settings.PHB_BENCH = False
    with pytest.raises(Http404):
        bench_floor(RequestFactory().get("/bench/floor"))


def _settings_in_a_process(value: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PHB_BENCH": value, "DJANGO_SETTINGS_MODULE": "phb_readiness.settings"}
    code = (
        "import django; django.setup(); from django.conf import settings; from django.urls import reverse; "
        "print(settings.PHB_BENCH, 'phb_readiness.bench' in settings.INSTALLED_APPS, "
        "reverse('bench:floor') if settings.PHB_BENCH else '-')"
    )
    return subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False, cwd=settings.BASE_DIR
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", "True True /bench/floor"),
        ("true", "True True /bench/floor"),
        ("0", "False False -"),
        ("", "False False -"),
    ],
)
def test_phb_bench_is_read_from_the_environment(value, expected):
    completed = _settings_in_a_process(value)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == expected


def test_phb_bench_refuses_a_value_that_is_not_a_boolean():
    completed = _settings_in_a_process("maybe")
    assert completed.returncode != 0
    assert "PHB_BENCH" in completed.stderr

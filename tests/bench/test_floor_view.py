"""The benchmark's floor view exists only when debugging or inside a benchmark server (PHB_BENCH=1)."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import RequestFactory

from phb_readiness.bench.views import bench_floor


def test_floor_is_not_served_in_production(db, client, settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.delenv("PHB_BENCH", raising=False)
    assert client.get("/bench/floor").status_code == 404


def test_floor_view_refuses_without_the_flag(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.delenv("PHB_BENCH", raising=False)
    with pytest.raises(Http404):
        bench_floor(RequestFactory().get("/bench/floor"))


def test_floor_view_answers_in_a_benchmark_server(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setenv("PHB_BENCH", "1")
    response = bench_floor(RequestFactory().get("/bench/floor"))
    assert response.status_code == 200
    assert response.content == b"floor\n"

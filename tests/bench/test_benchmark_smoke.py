"""The benchmark runs end to end on a tiny data set (PHB_BENCH on, as under `make bench`) and writes every key."""

from __future__ import annotations

import json
import numbers

import pytest
from django.core.management import call_command

from phb_readiness.bench.runner import KEYS

pytestmark = pytest.mark.bench


def test_benchmark_with_two_sites_writes_every_key(tmp_path, bench_on, capsys):
    out = tmp_path / "bench.json"
    call_command(
        "benchmark",
        "--sites=2",
        "--requests=3",
        "--throughput-requests=10",
        "--cold-restarts=1",
        "--no-pdf",  # the renders take tens of seconds; tests/test_report_* cover them
        f"--json={out}",
    )
    figures = json.loads(out.read_text())
    assert list(figures) == list(KEYS)
    assert all(value is None or isinstance(value, numbers.Number) for value in figures.values())
    assert figures["sites"] == 2
    # The floor is always there: the server started, signed-in requests went through.
    assert figures["floor_p50_ms"] > 0
    assert figures["floor_p95_ms"] > 0
    assert figures["floor_rps_10"] > 0
    # Every kind of save went through (the signed one after both sides signed again), and a fresh server answered.
    for key in ("save_p95_ms", "save_owner_p95_ms", "save_signed_p95_ms", "overview_cold_ms"):
        assert figures[key] > 0, key
    for key in ("save_queries", "save_owner_queries", "save_signed_queries", "overview_queries"):
        assert figures[key] > 0, key
    printed = capsys.readouterr().out
    assert "signing again failed" not in printed
    assert "floor (signed-in bare view): p50" in printed
    assert "first request after restart" in printed

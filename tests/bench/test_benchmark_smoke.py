"""The benchmark runs end to end on a tiny data set and writes exactly the keys of issue 7."""

from __future__ import annotations

import json
import numbers

import pytest
from django.core.management import call_command

from phb_readiness.bench.runner import KEYS

pytestmark = pytest.mark.bench


def test_benchmark_with_two_sites_writes_every_key(tmp_path):
    out = tmp_path / "bench.json"
    call_command(
        "benchmark",
        "--sites=2",
        "--requests=3",
        "--throughput-requests=10",
        "--no-pdf",  # the renders take tens of seconds; tests/test_report_* cover them
        f"--json={out}",
    )
    figures = json.loads(out.read_text())
    assert list(figures) == list(KEYS)
    assert all(value is None or isinstance(value, numbers.Number) for value in figures.values())
    # The floor is always there: the server started, signed-in requests went through.
    assert figures["floor_p95_ms"] > 0
    assert figures["floor_rps_10"] > 0

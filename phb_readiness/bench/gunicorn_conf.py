"""Gunicorn settings of the benchmark's server (`-c python:phb_readiness.bench.gunicorn_conf`).

Each worker marks itself ready once it has loaded the application, so the benchmark can wait for every worker
without sending a request, and then time a worker's very first request (the "cold" figure).
"""

import os
from pathlib import Path


def post_worker_init(worker) -> None:
    ready_dir = os.environ.get("PHB_BENCH_READY_DIR")
    if ready_dir:
        (Path(ready_dir) / f"worker-{worker.pid}").touch()

"""manage.py benchmark --sites 150 [--json FILE]: the national-scale benchmark (docs/performance.md).

There only where PHB_BENCH is on (`make bench` sets it): the bench app is not installed otherwise.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from phb_readiness.bench import phases
from phb_readiness.bench.runner import KEYS, BenchError, Options, benchmark_run, table


class Command(BaseCommand):
    help = (
        "Build a national-scale data set in a fresh database, start gunicorn on 127.0.0.1 and measure latency (warm "
        "and after a restart), saves, throughput, query counts and PDF rendering, each against a floor measured in "
        "the same run (docs/performance.md)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--sites", type=int, default=150, help="How many pilot sites to build (default 150).")
        parser.add_argument("--json", dest="json_path", help="Write the figures as JSON to this file.")
        parser.add_argument("--requests", type=int, default=200, help="Requests per page for latency (default 200).")
        parser.add_argument(
            "--throughput-requests", type=int, default=1000, help="Requests shared by the 10 clients (default 1000)."
        )
        parser.add_argument(
            "--cold-restarts",
            type=int,
            default=3,
            help="Fresh servers whose first overview request is timed; the median counts (default 3).",
        )
        parser.add_argument(
            "--compare",
            metavar="FILE",
            help="The JSON of a run at another size: query counts must be the same in both.",
        )
        parser.add_argument(
            "--pdf-repeats",
            type=int,
            default=3,
            help="Renders of each PDF, interleaved with the floor; the fastest of each counts.",
        )
        parser.add_argument("--no-pdf", action="store_true", help="Skip the PDF renders (their figures are null).")
        parser.add_argument("--keep", action="store_true", help="Keep the bench database and files to look at.")
        # Internal: the parts that run inside the bench environment, started by the command itself.
        parser.add_argument("--phase", choices=["build", "queries", "pdf"], help="(internal)")
        parser.add_argument("--state", help="(internal)")
        parser.add_argument("--out", help="(internal)")
        parser.add_argument("--kind", choices=["site", "national"], help="(internal)")

    def handle(self, *args, **options) -> None:
        if options["phase"]:
            self._phase(options)
            return
        if not 1 <= options["sites"] <= 2000:
            raise CommandError("--sites must be between 1 and 2000.")
        compare = None
        if options["compare"]:
            try:
                compare = json.loads(Path(options["compare"]).read_text())
            except (OSError, ValueError) as exc:
                raise CommandError(f"--compare {options['compare']}: {exc}") from exc
        run = Options(
            sites=options["sites"],
            requests=max(1, options["requests"]),
            throughput_requests=max(10, options["throughput_requests"]),
            pdf_repeats=max(1, options["pdf_repeats"]),
            pdf=not options["no_pdf"],
            keep=options["keep"],
            cold_restarts=max(1, options["cold_restarts"]),
            compare=compare,
        )
        try:
            started = time.monotonic()
            figures, details = benchmark_run(
                run, note=lambda text: self.stderr.write(f"[{time.monotonic() - started:6.1f} s] {text}")
            )
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(table(figures, details))
        if details["workdir"]:
            self.stdout.write(f"Kept the bench files in {details['workdir']}.")
        if options["json_path"]:
            Path(options["json_path"]).write_text(json.dumps({key: figures[key] for key in KEYS}, indent=2) + "\n")
            self.stdout.write(f"Wrote {options['json_path']}.")

    def _phase(self, options: dict) -> None:
        state = json.loads(Path(options["state"]).read_text())
        if options["phase"] == "build":
            result = phases.phase_build(sites=options["sites"])
        elif options["phase"] == "queries":
            result = phases.phase_queries(state=state, cpu_requests=options["requests"] // 20 or 1)
        else:
            result = phases.phase_pdf(state=state, kind=options["kind"], repeats=options["pdf_repeats"])
        phases.write_result(options["out"], result)

"""`manage.py benchmark`: a fresh database, the data set, the real server (gunicorn, 2 workers), and the figures.

The parent process never touches the bench database itself: it creates it, runs migrate, load_framework and the
builder in child processes with the bench environment, starts gunicorn on 127.0.0.1, measures over HTTP, then runs
the query counts and the PDF renders in children again, and drops the database.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings

from phb_readiness.bench.client import (
    Latency,
    Session,
    form_where,
    form_with,
    latency,
    save_values,
    throughput,
    with_answers,
)

KEYS = (
    "overview_p95_ms",
    "assessment_p95_ms",
    "item_p95_ms",
    "save_p95_ms",
    "floor_p95_ms",
    "assessment_rps_10",
    "floor_rps_10",
    "queries_max",
    "site_pdf_s",
    "site_pdf_pages",
    "site_pdf_floor_s",
    "national_pdf_s",
    "national_pdf_pages",
    "national_pdf_floor_s",
    "render_peak_mb",
    "sites",
    "floor_p50_ms",
    "overview_cold_ms",
    "save_owner_p95_ms",
    "save_signed_p95_ms",
    "overview_queries",
    "assessment_queries",
    "item_queries",
    "save_queries",
    "save_owner_queries",
    "save_signed_queries",
    "site_pdf_sign_s",
    "national_pdf_sign_s",
)
QUERY_KEYS = ("overview", "assessment", "item", "save", "save_owner", "save_signed")

# The targets. Latency is a ratio to the floor's p50 of the same run: this machine's speed varies about twofold.
PAGE_X_FLOOR = 4.0  # p95 of a page or a save, at most this many times the floor's p50
COLD_X_WARM = 2.0  # a worker's first overview after a restart, at most this many times the warm p50
RPS_SHARE_OF_FLOOR = 0.20  # the assessment overview with 10 clients, at least this share of the floor's throughput
QUERIES_MAX = 10  # on any page or save, and the same at every size
PDF_X_FLOOR = 1.25  # each PDF, at most this many times WeasyPrint alone on the same HTML
PEAK_MB = 300  # rendering peak, below this


def national_pdf_limit_s(sites: int) -> float:
    """The national PDF's own time limit: 3 s up to 150 sites, 15 s at 1,500, in a straight line between."""
    return round(3.0 + max(0, sites - 150) * 12.0 / 1350, 1)


MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


class BenchError(RuntimeError):
    pass


@dataclass
class Options:
    sites: int = 150
    requests: int = 200
    throughput_requests: int = 1000
    pdf_repeats: int = 3
    pdf: bool = True
    keep: bool = False
    cold_restarts: int = 3
    compare: dict | None = None  # the JSON of another run (another --sites), for its query counts


# -- the database and the environment ---------------------------------------------------------------------------


@contextmanager
def bench_database(workdir: Path, keep: bool) -> Iterator[str]:
    """A fresh database: a file under workdir for SQLite, a new PostgreSQL database when DATABASE_URL is set."""
    admin_url = os.environ.get("DATABASE_URL")
    if not admin_url:
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    import dj_database_url
    import psycopg
    from psycopg import sql

    admin = dj_database_url.parse(admin_url)
    if admin["ENGINE"] != "django.db.backends.postgresql":
        raise BenchError("DATABASE_URL must name PostgreSQL (or be unset for SQLite).")
    name = f"phb_bench_{os.getpid()}"
    params = {
        "host": admin["HOST"] or "127.0.0.1",
        "port": admin["PORT"] or 5432,
        "user": admin["USER"],
        "password": admin["PASSWORD"] or None,
        "dbname": admin["NAME"],
    }
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    credentials = quote(admin["USER"], safe="") + (f":{quote(admin['PASSWORD'], safe='')}" if admin["PASSWORD"] else "")
    try:
        yield f"postgres://{credentials}@{params['host']}:{params['port']}/{name}"
    finally:
        if not keep:
            with psycopg.connect(**params, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def bench_env(workdir: Path, database_url: str) -> dict[str, str]:
    """The production-shaped environment of the bench server, over plain HTTP on 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")}
    (workdir / "var" / "staticfiles").mkdir(parents=True, exist_ok=True)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="phb_readiness.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_STATIC_MANIFEST="0",
        PHB_BENCH="1",
        PHB_VAR_DIR=str(workdir / "var"),
        PHB_PRIVATE_STORAGE_ROOT=str(workdir / "private"),
        LOG_LEVEL="WARNING",
    )
    return env


def run_child(env: dict[str, str], *args: str, timeout: float = 900) -> str:
    completed = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, MANAGE, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if completed.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}")
    return completed.stdout


def run_phase(env: dict[str, str], workdir: Path, phase: str, *args: str) -> dict:
    out = workdir / f"{phase}-{'-'.join(args) or 'result'}.json".replace("--", "")
    log_path = workdir / "phases.log"
    started = time.perf_counter()
    run_child(env, "benchmark", "--phase", phase, "--state", str(workdir / "state.json"), "--out", str(out), *args)
    with log_path.open("a") as log:
        log.write(f"{phase} {' '.join(args)}: {time.perf_counter() - started:.1f} s\n")
    return json.loads(out.read_text())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], workdir: Path, workers: int = 2) -> Iterator[int]:
    """The real server: gunicorn with 2 workers on a free port of 127.0.0.1, until the block ends.

    It is ready when every worker has loaded the application (gunicorn_conf marks each), and no request has been
    sent to it yet: the first request a test sends is a worker's first."""
    port = free_port()
    ready_dir = Path(tempfile.mkdtemp(prefix="ready-", dir=workdir))
    log = open(workdir / "gunicorn.log", "a")  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "phb_readiness.wsgi:application",
            "--config",
            "python:phb_readiness.bench.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env={**env, "PHB_BENCH": "1", "PHB_BENCH_READY_DIR": str(ready_dir)},
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while len(list(ready_dir.iterdir())) < workers:
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"gunicorn did not start:\n{(workdir / 'gunicorn.log').read_text()[-3000:]}")
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(ready_dir, ignore_errors=True)


# -- measuring --------------------------------------------------------------------------------------------------


@dataclass
class Resign:
    """Signs a section again for both sides (untimed) after each timed save has superseded its sign-offs."""

    manager: Session
    rep: Session
    path: str
    failures: int = 0

    def __call__(self) -> None:
        for session, action, statement in (
            (self.manager, "sign", "Signed for management again after the change: the section is complete."),
            (self.rep, "acknowledge", "Acknowledged again for the staff side."),
        ):
            status, body, _ = session.request("GET", self.path)
            form = form_where(body, "action", action) if status == 200 else None
            if (
                form is None
                and action == "sign"
                and status == 200
                and form_where(body, "action", "acknowledge") is None
            ):
                return  # neither side can sign: it is signed by both already
            if form is None:
                self.failures += 1
                return
            status, _body, _ = session.request("POST", self.path, {**form, "statement": statement})
            if status not in (302, 303):
                self.failures += 1
                return


def save_latency(
    session: Session,
    path: str,
    *,
    requests: int,
    answers: Callable[[int], dict[str, str]],
    before_each: Callable[[], None] | None = None,
    deadline_s: float = 180,
) -> Latency:
    """Item saves one after another, each based on the version the last one left, each changing the answer.
    `before_each` runs untimed before every save (signing the section again for the signed saves)."""
    status, body, _ = session.request("GET", path)
    form = form_with(body, "base_version") if status == 200 else None
    result = Latency()
    if form is None:
        result.add(status, 0, ok=False)
        return result
    warmup = min(5, requests)
    deadline = time.monotonic() + deadline_s
    for step in range(requests + warmup):
        if time.monotonic() > deadline:
            break
        if before_each is not None:
            before_each()
        status, body, seconds = session.request("POST", path, with_answers(form, answers(step)))
        refreshed = form_with(body, "base_version") if status == 200 else None
        saved = status in (302, 303)  # POST-redirect-GET; a page back means a form error or a conflict
        if refreshed is not None:
            form = refreshed
        elif saved:
            form["base_version"] = str(int(form["base_version"]) + 1)
        if step >= warmup:
            result.add(status, seconds, saved)
    return result


def measure_http(port: int, state: dict, options: Options, note: Callable[[str], None]) -> dict:
    urls = state["urls"]
    manager = Session(port, state["manager_sessions"][0])
    reviewer = Session(port, state["reviewer_session"])
    figures: dict = {"latency": {}, "throughput": {}, "resign_failures": None}
    # The floor before and after the pages, half the requests each, so that a change in the machine's speed
    # during the run lands on both sides of the ratios.
    floor_first = latency(manager, urls["floor"], requests=max(1, options.requests // 2))
    for key, session in (("overview", reviewer), ("assessment", manager), ("item", manager)):
        if urls.get(key):
            note(f"latency of {key} ({urls[key]})")
            figures["latency"][key] = latency(session, urls[key], requests=options.requests)
    if urls.get("item"):
        note("latency of the plain save (status and narrative)")
        figures["latency"]["save"] = save_latency(manager, urls["item"], requests=options.requests, answers=save_values)
        note("latency of the save that assigns an owner")
        owners = (state["contributor_id"], state["manager_id"])
        figures["latency"]["save_owner"] = save_latency(
            manager, urls["item"], requests=options.requests, answers=lambda step: {"owner": str(owners[step % 2])}
        )
    if urls.get("signed_item") and urls.get("signoff"):
        note("latency of the save in a section signed by both sides (signed again, untimed, before each)")
        rep = Session(port, state["rep_session"])
        resign = Resign(manager, rep, urls["signoff"])
        figures["latency"]["save_signed"] = save_latency(
            manager,
            urls["signed_item"],
            requests=options.requests,
            answers=save_values,
            before_each=lambda: resign() if resign.failures == 0 else None,
        )
        figures["resign_failures"] = resign.failures
        rep.close()
    floor_last = latency(manager, urls["floor"], requests=max(1, options.requests - options.requests // 2))
    figures["latency"]["floor"] = floor_first.merged(floor_last)
    for key in ("floor", "assessment"):
        if urls.get(key):
            note(f"throughput of {key} with 10 clients")
            sessions = [Session(port, cookies) for cookies in state["manager_sessions"]]
            figures["throughput"][key] = throughput(sessions, urls[key], requests=options.throughput_requests)
            for session in sessions:
                session.close()
    manager.close()
    reviewer.close()
    return figures


def measure_cold(env: dict[str, str], workdir: Path, state: dict, restarts: int, note: Callable[[str], None]) -> dict:
    """A worker's first request after a restart: a fresh gunicorn each time, the national overview its first
    request (nothing read into the process yet but the application itself)."""
    path = state["urls"].get("overview")
    timings: list[float] = []
    statuses: list[int] = []
    for n in range(restarts if path else 0):
        note(f"first overview request after a restart ({n + 1} of {restarts})")
        with gunicorn(env, workdir) as port:
            session = Session(port, state["reviewer_session"])
            status, _body, seconds = session.request("GET", path)
            session.close()
        statuses.append(status)
        if status == 200:
            timings.append(seconds)
    return {
        "timings_ms": [round(t * 1000, 1) for t in timings],
        "ms": round(statistics.median(timings) * 1000, 1) if timings else None,
        "failed": [s for s in statuses if s != 200],
    }


def benchmark_run(options: Options, note: Callable[[str], None]) -> tuple[dict, dict]:
    """The whole run; returns (the JSON figures, details for the table)."""
    workdir = Path(tempfile.mkdtemp(prefix="phb-bench-"))
    load_before = os.getloadavg()[0]
    try:
        with bench_database(workdir, options.keep) as database_url:
            env = bench_env(workdir, database_url)
            vendor = "postgresql" if database_url.startswith("postgres") else "sqlite"
            note(f"fresh {vendor} database: migrate, load_framework, build {options.sites} sites")
            started = time.perf_counter()
            (workdir / "state.json").write_text("{}")
            state = run_phase(env, workdir, "build", "--sites", str(options.sites))
            (workdir / "state.json").write_text(json.dumps(state))
            note(f"built {state['counts']} in {state['build_s']} s; starting gunicorn")
            with gunicorn(env, workdir) as port:
                http = measure_http(port, state, options, note)
            cold = measure_cold(env, workdir, state, options.cold_restarts, note)
            note("counting queries")
            try:
                queries = run_phase(env, workdir, "queries", "--requests", str(options.requests))
            except BenchError as exc:  # the other figures still count; the counts show as not measured
                note(f"counting queries failed: {str(exc).strip().splitlines()[-1][:300]}")
                queries = {"counts": {}, "cpu_ms": {}}
            pdfs = {}
            for kind in ("site", "national") if options.pdf else ():
                note(f"rendering the {kind} PDF")
                try:
                    pdfs[kind] = run_phase(
                        env, workdir, "pdf", "--kind", kind, "--pdf-repeats", str(options.pdf_repeats)
                    )
                except BenchError as exc:  # the other figures still count; the table shows the error
                    pdfs[kind] = {"built": True, "error": str(exc).strip().splitlines()[-1][:300]}
            setup_s = time.perf_counter() - started
    finally:
        if not options.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    details = {
        "vendor": vendor,
        "state": state,
        "http": http,
        "cold": cold,
        "queries": queries,
        "pdfs": pdfs,
        "compare": options.compare,
        "seconds": round(setup_s, 1),
        "machine": f"{os.cpu_count()} CPUs, load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after",
        "workdir": str(workdir) if options.keep else None,
    }
    return assemble(state, http, cold, queries, pdfs), details


def assemble(state: dict, http: dict, cold: dict, queries: dict, pdfs: dict) -> dict:
    lat, thr = http["latency"], http["throughput"]

    def p95(key: str):
        return lat[key].p95_ms if key in lat else None

    def rps(key: str):
        return thr[key].rps if key in thr else None

    counts = queries["counts"]
    counted = [counts.get(k) for k in QUERY_KEYS if counts.get(k) is not None]
    site, national = pdfs.get("site", {}), pdfs.get("national", {})
    peaks = [p["peak_mb"] for p in (site, national) if p.get("peak_mb") is not None]
    figures = {
        "overview_p95_ms": p95("overview"),
        "assessment_p95_ms": p95("assessment"),
        "item_p95_ms": p95("item"),
        "save_p95_ms": p95("save"),
        "floor_p95_ms": p95("floor"),
        "assessment_rps_10": rps("assessment"),
        "floor_rps_10": rps("floor"),
        "queries_max": max(counted) if counted else None,
        "site_pdf_s": site.get("seconds"),
        "site_pdf_pages": site.get("pages"),
        "site_pdf_floor_s": site.get("floor_seconds"),
        "national_pdf_s": national.get("seconds"),
        "national_pdf_pages": national.get("pages"),
        "national_pdf_floor_s": national.get("floor_seconds"),
        "render_peak_mb": max(peaks) if peaks else None,
        "sites": state["sites"],
        "floor_p50_ms": lat["floor"].p50_ms if "floor" in lat else None,
        "overview_cold_ms": cold.get("ms"),
        "save_owner_p95_ms": p95("save_owner"),
        "save_signed_p95_ms": p95("save_signed"),
        "site_pdf_sign_s": site.get("sign_seconds"),
        "national_pdf_sign_s": national.get("sign_seconds"),
    }
    figures.update({f"{key}_queries": counts.get(key) for key in QUERY_KEYS})
    return {key: figures[key] for key in KEYS}


# -- the table --------------------------------------------------------------------------------------------------

NOT_BUILT = "not built yet"
LATENCY_ROWS = (
    ("overview", "national overview (a page): p95"),
    ("assessment", "assessment overview: p95"),
    ("item", "item page: p95"),
    ("save", "save (status, narrative): p95"),
    ("save_owner", "save assigning an owner: p95"),
    ("save_signed", "save, section signed by both: p95"),
)
PAGE_OF = {"save": "item", "save_owner": "item", "save_signed": "signed_item"}  # the page each save posts to
QUERY_LABELS = {
    "overview": "national overview",
    "assessment": "assessment overview",
    "item": "item page",
    "save": "save (status, narrative)",
    "save_owner": "save assigning an owner",
    "save_signed": "save, section signed by both",
}


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else ("OK" if ok else "MISSED")


def _ratio(value, base) -> float | None:
    return round(value / base, 2) if value is not None and base else None


def _x(ratio: float | None) -> str:
    return "" if ratio is None else f"x{ratio:g}"


def table(figures: dict, details: dict) -> str:
    """Every figure beside its ratio to its floor and its target, OK or MISSED, with what is behind it."""
    state, urls = details["state"], details["state"]["urls"]
    lat, thr = details["http"]["latency"], details["http"]["throughput"]
    counts, cpu_ms, pdfs = details["queries"]["counts"], details["queries"]["cpu_ms"], details["pdfs"]
    floor_p50 = figures["floor_p50_ms"]
    rows: list[tuple[str, str, str, str, str, str]] = []  # figure, value, ratio, target, verdict, notes

    floor = lat.get("floor")
    rows.append(
        (
            "floor (signed-in bare view): p50",
            f"{floor_p50} ms" if floor_p50 else "failed",
            "x1",
            "(the base of the ratios)",
            "",
            f"p95 {figures['floor_p95_ms']} ms, n={len(floor.timings) if floor else 0}, {counts.get('floor')} queries",
        )
    )
    for key, label in LATENCY_ROWS:
        result = lat.get(key)
        p95 = result.p95_ms if result else None
        ratio = _ratio(p95, floor_p50)
        notes = []
        if result and result.timings:
            notes.append(f"p50 {result.p50_ms} ms ({_x(_ratio(result.p50_ms, floor_p50))}), n={len(result.timings)}")
        if result and result.errors:
            notes.append(f"{result.errors} failed {result.statuses}")
        if counts.get(key) is not None:
            notes.append(f"{counts[key]} queries, in-process CPU {cpu_ms.get(key)} ms")
        if key == "save_signed" and details["http"].get("resign_failures"):
            notes.append("signing again failed: saves after the first were in a superseded section")
        built = bool(urls.get(PAGE_OF.get(key, key)))
        value = f"{p95} ms" if p95 is not None else ("failed" if built else NOT_BUILT)
        rows.append(
            (
                label,
                value,
                _x(ratio),
                f"<= {PAGE_X_FLOOR:g}x floor p50",
                _verdict(None if ratio is None else ratio <= PAGE_X_FLOOR),
                ", ".join(notes),
            )
        )

    cold = details["cold"]
    warm = lat["overview"].p50_ms if "overview" in lat else None
    cold_ms = figures["overview_cold_ms"]
    cold_ratio = _ratio(cold_ms, warm)
    rows.append(
        (
            "overview, first request after restart",
            f"{cold_ms} ms" if cold_ms is not None else ("failed" if urls.get("overview") else NOT_BUILT),
            _x(_ratio(cold_ms, floor_p50)),
            f"<= {COLD_X_WARM:g}x warm p50",
            _verdict(None if cold_ratio is None else cold_ratio <= COLD_X_WARM),
            f"x{cold_ratio} of the warm p50 {warm} ms; median of {cold['timings_ms']}"
            + (f", failed {cold['failed']}" if cold["failed"] else ""),
        )
    )

    floor_rps = figures["floor_rps_10"]
    for key, label in (("assessment", "assessment overview: 10 clients"), ("floor", "floor: 10 clients")):
        result = thr.get(key)
        rps = result.rps if result else None
        share = _ratio(rps, floor_rps)
        is_floor = key == "floor"
        rows.append(
            (
                label,
                f"{rps} req/s" if rps is not None else ("failed" if urls.get(key) else NOT_BUILT),
                _x(share),
                "" if is_floor else f">= {RPS_SHARE_OF_FLOOR:g}x floor req/s",
                "" if is_floor else _verdict(None if share is None else share >= RPS_SHARE_OF_FLOOR),
                f"{result.completed} in {result.seconds:.1f} s, {result.errors} failed" if result else "",
            )
        )

    other = details.get("compare") or {}
    for key in QUERY_KEYS:
        count = counts.get(key)
        theirs = other.get(f"{key}_queries")
        same = None if count is None or theirs is None else count == theirs
        ok = None if count is None else count <= QUERIES_MAX and same is not False
        note = (
            f"{theirs} at {other.get('sites')} sites" if theirs is not None else "other size: run with --compare FILE"
        )
        rows.append(
            (
                f"queries: {QUERY_LABELS[key]}",
                str(count) if count is not None else ("failed" if urls.get(PAGE_OF.get(key, key)) else NOT_BUILT),
                "",
                f"<= {QUERIES_MAX}, same at both sizes",
                _verdict(ok),
                note,
            )
        )

    for kind in ("site", "national"):
        pdf = pdfs.get(kind, {"skipped": True})
        seconds, floor_s = pdf.get("seconds"), pdf.get("floor_seconds")
        ratio = _ratio(seconds, floor_s)
        limit = national_pdf_limit_s(state["sites"]) if kind == "national" else None
        ok = None if ratio is None else ratio <= PDF_X_FLOOR and (limit is None or seconds <= limit)
        notes = []
        if floor_s:
            cpu_ratio = _ratio(pdf.get("cpu_seconds"), pdf.get("floor_cpu_seconds"))
            notes.append(f"WeasyPrint floor {floor_s} s (CPU time {_x(cpu_ratio)}), {pdf.get('pages')} pages")
        if pdf.get("sign_seconds") is not None:
            notes.append(f"signing {pdf['sign_seconds']} s of it")
        if pdf.get("error"):
            notes.append(pdf["error"])
        if pdf.get("skipped"):
            value = "skipped"
        else:
            value = f"{seconds} s" if seconds is not None else ("failed" if pdf.get("built") else NOT_BUILT)
        rows.append(
            (
                f"{kind} PDF",
                value,
                _x(ratio),
                f"<= {PDF_X_FLOOR:g}x its floor" + (f", <= {limit:g} s" if limit else ""),
                _verdict(ok),
                ", ".join(notes),
            )
        )
    peak = figures["render_peak_mb"]
    rows.append(
        (
            "rendering peak memory",
            "skipped" if not pdfs else (f"{peak} MB" if peak is not None else "failed"),
            "",
            f"< {PEAK_MB} MB",
            _verdict(None if peak is None else peak < PEAK_MB),
            "the worker's job, after its first render: "
            + ", ".join(
                f"{kind} PDF {pdf['peak_mb']} MB (process {pdf.get('process_peak_mb')} MB with WeasyPrint alone)"
                for kind, pdf in pdfs.items()
                if pdf.get("peak_mb")
            ),
        )
    )

    header = ("figure", "value", "ratio", "target", "", "")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(5)]
    lines = [
        f"PHB Readiness benchmark: {state['sites']} sites on {details['vendor']} ({state['counts']}), "
        f"built in {state['build_s']} s (stored readiness {state.get('readiness_s')} s of it), "
        f"whole run {details['seconds']} s; {details['machine']}",
        "Ratios: latency to the floor's p50, throughput to the floor's, each PDF to WeasyPrint alone on its HTML.",
        "",
    ]
    for figure, value, ratio, target, verdict, notes in [header, *rows]:
        lines.append(
            f"{figure:<{widths[0]}}  {value:>{widths[1]}}  {ratio:>{widths[2]}}  {target:<{widths[3]}}  "
            f"{verdict:<{widths[4]}}  {notes}".rstrip()
        )
    return "\n".join(lines)

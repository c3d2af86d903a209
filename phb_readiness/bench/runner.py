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

from phb_readiness.bench.client import Latency, Session, form_with, latency, save_values, throughput, with_answers

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
)
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
def gunicorn(env: dict[str, str], workdir: Path) -> Iterator[int]:
    """The real server: gunicorn with 2 workers on a free port of 127.0.0.1, until the block ends."""
    port = free_port()
    log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "phb_readiness.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"gunicorn did not start:\n{(workdir / 'gunicorn.log').read_text()}")
            probe = Session(port, timeout=2)
            try:
                if probe.request("GET", "/bench/floor")[0] == 200:
                    break
            except OSError:
                pass
            finally:
                probe.close()
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# -- measuring --------------------------------------------------------------------------------------------------


def save_latency(session: Session, path: str, *, requests: int, owner_id: int, deadline_s: float = 120) -> Latency:
    """Item saves one after another, each based on the version the last one left, each changing the answer."""
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
        status, body, seconds = session.request("POST", path, with_answers(form, save_values(step, owner_id)))
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
    figures: dict = {"latency": {}, "throughput": {}}
    for key, session in (("floor", manager), ("overview", reviewer), ("assessment", manager), ("item", manager)):
        if urls.get(key):
            note(f"latency of {key} ({urls[key]})")
            figures["latency"][key] = latency(session, urls[key], requests=options.requests)
    if urls.get("item"):
        note("latency of the item save")
        figures["latency"]["save"] = save_latency(
            manager, urls["item"], requests=options.requests, owner_id=state["manager_id"]
        )
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
            note("counting queries")
            queries = run_phase(env, workdir, "queries", "--requests", str(options.requests))
            pdfs = {}
            for kind in ("site", "national") if options.pdf else ():
                note(f"rendering the {kind} PDF")
                pdfs[kind] = run_phase(env, workdir, "pdf", "--kind", kind, "--pdf-repeats", str(options.pdf_repeats))
            setup_s = time.perf_counter() - started
    finally:
        if not options.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return assemble(http, queries, pdfs), {
        "vendor": vendor,
        "state": state,
        "http": http,
        "queries": queries,
        "pdfs": pdfs,
        "seconds": round(setup_s, 1),
        "machine": f"{os.cpu_count()} CPUs, load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after",
        "workdir": str(workdir) if options.keep else None,
    }


def assemble(http: dict, queries: dict, pdfs: dict) -> dict:
    lat, thr = http["latency"], http["throughput"]

    def p95(key: str):
        return lat[key].p95_ms if key in lat else None

    def rps(key: str):
        return thr[key].rps if key in thr else None

    counted = [v for k, v in queries["counts"].items() if k != "floor" and v is not None]
    site, national = pdfs.get("site", {}), pdfs.get("national", {})
    peaks = [p["peak_mb"] for p in (site, national) if p.get("built")]
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
    }
    return figures


# -- the table --------------------------------------------------------------------------------------------------

NOT_BUILT = "not built yet"
LATENCY_ROWS = (
    ("overview", "national overview", 30),
    ("assessment", "assessment overview", 30),
    ("item", "item page", 20),
    ("save", "item save", 40),
    ("floor", "floor (bare view)", None),
)


def _verdict(value, limit, *, at_least: bool = False) -> str:
    if value is None or limit is None:
        return ""
    return "ok" if (value >= limit if at_least else value <= limit) else "MISSED"


def _shown(value, unit: str = "", *, built: bool = True) -> str:
    if value is None:
        return "failed" if built else NOT_BUILT
    return f"{value}{unit}"


def table(figures: dict, details: dict) -> str:
    """The figures beside their targets, with what is behind each (p50, counts, failures)."""
    urls = details["state"]["urls"]
    lat, thr = details["http"]["latency"], details["http"]["throughput"]
    queries, cpu_ms, pdfs = details["queries"]["counts"], details["queries"]["cpu_ms"], details["pdfs"]
    rows: list[tuple[str, str, str, str]] = []
    for key, label, target in LATENCY_ROWS:
        built = bool(urls.get("item" if key == "save" else key))
        result = lat.get(key)
        p95 = result.p95_ms if result else None
        notes = [_verdict(p95, target)]
        if result and result.timings:
            notes.append(f"p50 {result.p50_ms} ms, n={len(result.timings)}")
        if result and result.errors:
            notes.append(f"{result.errors} failed {result.statuses}")
        if queries.get(key) is not None:
            notes.append(f"{queries[key]} queries, in-process CPU {cpu_ms.get(key)} ms")
            if (cold := details["queries"].get("cold_cpu_ms", {}).get(key)) is not None:
                notes.append(f"(cold {cold} ms)")
        target_text = f"<= {target} ms" if target else ""
        rows.append((f"{label}: p95, 1 client", _shown(p95, " ms", built=built), target_text, " ".join(notes)))
    for key, label, target in (("assessment", "assessment overview", 100), ("floor", "floor (bare view)", None)):
        result = thr.get(key)
        rps = result.rps if result else None
        notes = [_verdict(rps, target, at_least=True)]
        if result:
            notes.append(f"{result.completed} in {result.seconds:.1f} s, {result.errors} failed")
        target_text = f">= {target} req/s" if target else ""
        rows.append(
            (f"{label}: 10 clients", _shown(rps, " req/s", built=bool(urls.get(key))), target_text, " ".join(notes))
        )
    most = figures["queries_max"]
    rows.append(("most queries on a page", _shown(most), "<= 10", f"{_verdict(most, 10)} {queries}"))
    for kind, limit in (("site", None), ("national", 3.0)):
        pdf = pdfs.get(kind, {"skipped": True})
        seconds, floor_s = pdf.get("seconds"), pdf.get("floor_seconds")
        ratio = round(seconds / floor_s, 2) if seconds and floor_s else None
        notes = [_verdict(ratio, 1.25), _verdict(seconds, limit)]
        if floor_s:
            cpu_ratio = (
                round(pdf["cpu_seconds"] / pdf["floor_cpu_seconds"], 2) if pdf.get("floor_cpu_seconds") else None
            )
            notes.append(f"floor {floor_s} s, x{ratio} (CPU time x{cpu_ratio}), {pdf.get('pages')} pages")
        if pdf.get("error"):
            notes.append(pdf["error"])
        target_text = "<= 1.25x floor" + (f", <= {limit:g} s" if limit else "")
        rows.append(
            (
                f"{kind} PDF",
                "skipped" if pdf.get("skipped") else _shown(seconds, " s", built=pdf.get("built", False)),
                target_text,
                " ".join(n for n in notes if n),
            )
        )
    peak = figures["render_peak_mb"]
    built = any(p.get("built") for p in pdfs.values())
    shown = "skipped" if not pdfs else _shown(peak, " MB", built=built)
    rows.append(("rendering peak memory", shown, "<= 300 MB", _verdict(peak, 300)))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    state = details["state"]
    lines = [
        f"PHB Readiness benchmark: {state['sites']} sites on {details['vendor']} ({state['counts']}), "
        f"built in {state['build_s']} s; {details['machine']}",
        "",
    ]
    lines += [
        f"{a:<{widths[0]}}  {b:>{widths[1]}}  {c:<{widths[2]}}  {' '.join(d.split())}".rstrip() for a, b, c, d in rows
    ]
    return "\n".join(lines)

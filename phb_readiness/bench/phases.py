"""The parts of the benchmark that run inside Django against the bench database, each in its own process.

`manage.py benchmark` starts these with the bench environment (`--phase build|queries|pdf`): the data set and the
sessions, the query counts through the test client, and PDF rendering (in a process of its own, so that its peak
memory is the renderer's).
"""

from __future__ import annotations

import re
import resource
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from checklists.models import Assessment
from phb_readiness.bench.client import form_where, form_with, save_values, with_answers
from phb_readiness.bench.data import bench_data_build
from phb_readiness.reports.national import national_report_data
from phb_readiness.reports.selectors import site_report_data
from phb_readiness.reports.services import report_render
from phb_readiness.reports.signing import pdf_sign

THROUGHPUT_CLIENTS = 10
TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.IGNORECASE)


def signed_in_client(username: str) -> Client:
    """A test client signed in as this person; reviewers pass two-step verification with a confirmed device."""
    user = get_user_model().objects.get(username=username)
    client = Client(raise_request_exception=False, SERVER_NAME="127.0.0.1", HTTP_HOST="127.0.0.1")
    client.force_login(user)
    if _mfa_required(user):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _mfa_required(user) -> bool:
    if not apps.is_installed("django_otp"):
        return False
    try:
        from phb_readiness.accounts.auth import mfa_required
    except ImportError:
        return False
    return mfa_required(user)


def statements(queries: CaptureQueriesContext) -> int:
    """Queries, leaving out transaction control (BEGIN, COMMIT, SAVEPOINT...), which only SQLite logs."""
    return sum(1 for q in queries.captured_queries if not TRANSACTION_CONTROL.match(q["sql"]))


def session_cookie(client: Client) -> dict[str, str]:
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def page_urls(data) -> dict[str, str | None]:
    """The measured pages, or None for a page not built yet."""
    pk = data.assessment_pk
    wanted = {
        "overview": ("reports:overview", {}),
        "assessment": ("checklists:assessment", {"pk": pk}),
        "item": ("checklists:item", {"pk": pk, "code": data.item_code}),
        "signed_item": ("checklists:item", {"pk": pk, "code": data.signed_item_code}),
        "signoff": ("partnership:signoff", {"pk": pk, "section_code": data.signed_section_code}),
        "floor": ("bench:floor", {}),
    }
    urls: dict[str, str | None] = {}
    for key, (name, kwargs) in wanted.items():
        try:
            urls[key] = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            urls[key] = None
    return urls


def phase_build(*, sites: int) -> dict:
    """Migrate the fresh database, load the framework, build the data set and sign the bench people in."""
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_framework", verbosity=0)
    data = bench_data_build(sites=sites)
    with connection.cursor() as cursor:
        # Planner statistics, as autovacuum would have gathered on a database that grew to this size.
        cursor.execute("ANALYZE")
    manager_sessions = [session_cookie(signed_in_client(data.manager_username)) for _ in range(THROUGHPUT_CLIENTS)]
    User = get_user_model()
    return {
        "sites": data.sites,
        "counts": data.counts,
        "build_s": data.seconds,
        "readiness_s": data.readiness_seconds,
        "assessment_pk": data.assessment_pk,
        "item_code": data.item_code,
        "signed_item_code": data.signed_item_code,
        "signed_section_code": data.signed_section_code,
        "site_pk": data.site_pk,
        "manager": data.manager_username,
        "reviewer": data.reviewer_username,
        "rep": data.rep_username,
        "manager_id": User.objects.get(username=data.manager_username).pk,
        "contributor_id": User.objects.get(username=data.contributor_username).pk,
        "manager_sessions": manager_sessions,
        "reviewer_session": session_cookie(signed_in_client(data.reviewer_username)),
        "rep_session": session_cookie(signed_in_client(data.rep_username)),
        "urls": page_urls(data),
    }


def _sign_again(manager: Client, rep: Client, path: str) -> bool:
    """Both sides sign the section again, through its page, as the people do."""
    for client, action, statement in (
        (manager, "sign", "Signed for management again after the change."),
        (rep, "acknowledge", "Acknowledged again for the staff side."),
    ):
        page = client.get(path).content
        form = form_where(page, "action", action)
        if form is None and action == "sign" and form_where(page, "action", "acknowledge") is None:
            return True  # neither side can sign: it is signed by both already
        if form is None or client.post(path, {**form, "statement": statement}).status_code not in (302, 303):
            return False
    return True


def _counted(client: Client, path: str, *, method: str = "GET", data=None) -> tuple[int | None, float]:
    """The queries of one request and its CPU time in this process; None for the count if it did not succeed."""
    started = time.process_time()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, data) if method == "POST" else client.get(path)
    spent = round((time.process_time() - started) * 1000, 1)
    ok = response.status_code in ((302, 303) if method == "POST" else (200,))
    return (statements(queries) if ok else None), spent


def phase_queries(*, state: dict, cpu_requests: int) -> dict[str, dict]:
    """The queries each page and each kind of save makes, counted in-process through the test client against the
    bench database, and the CPU time of a request in this process (a figure other load disturbs little)."""
    urls = state["urls"]
    reviewer = signed_in_client(state["reviewer"])
    manager = signed_in_client(state["manager"])
    counts: dict[str, int | None] = {}
    cpu_ms: dict[str, float | None] = {}
    for key, client in (("overview", reviewer), ("assessment", manager), ("item", manager), ("floor", manager)):
        counts[key] = cpu_ms[key] = None
        if urls.get(key) is None:
            continue
        client.get(urls[key])  # the first request warms what a running server has warm
        counts[key], _spent = _counted(client, urls[key])
        if counts[key] is None:
            continue
        started = time.process_time()
        for _ in range(cpu_requests):
            client.get(urls[key])
        cpu_ms[key] = round((time.process_time() - started) / cpu_requests * 1000, 1)

    # Each kind of save twice (the first warms, the second counts), each changing the row.
    rep = signed_in_client(state["rep"])
    owners = (state["contributor_id"], state["manager_id"])
    kinds = {
        "save": (urls.get("item"), lambda step: save_values(step), None),
        "save_owner": (urls.get("item"), lambda step: {"owner": str(owners[step % 2])}, None),
        "save_signed": (urls.get("signed_item"), lambda step: save_values(step), urls.get("signoff")),
    }
    for key, (path, answers, signoff) in kinds.items():
        counts[key] = cpu_ms[key] = None
        if path is None:
            continue
        for step in range(2):
            if signoff and not _sign_again(manager, rep, signoff):
                break
            form = form_with(manager.get(path).content, "base_version")
            if form is None:
                break
            counts[key], cpu_ms[key] = _counted(manager, path, method="POST", data=with_answers(form, answers(step)))
    return {"counts": counts, "cpu_ms": cpu_ms}


def _report_row(kind: str, state: dict):
    """A queued report of this kind, as a request would leave it for the worker, or None before reports exist."""
    try:
        from phb_readiness.reports.models import Report
        from phb_readiness.reports.services import report_render  # noqa: F401 - the worker's entry point
    except ImportError:
        return None
    User = get_user_model()
    if kind == "site":
        assessment = Assessment.objects.select_related("site").get(pk=state["assessment_pk"])
        requester = User.objects.get(username=state["manager"])
        return Report.objects.create(
            kind=Report.Kind.SITE, assessment=assessment, site=assessment.site, requested_by=requester
        )
    return Report.objects.create(kind=Report.Kind.NATIONAL, requested_by=User.objects.get(username=state["reviewer"]))


def _report_html(report) -> str:
    """The final HTML of a report, as the app hands it to WeasyPrint (see reports.services.report_render_pdf)."""
    from django.template.loader import render_to_string

    from phb_readiness.reports.pdf import BASE_URL

    if report.kind == "site":
        data, template = site_report_data(report.assessment), "reports/pdf/site_report.html"
    else:
        data, template = national_report_data(region=report.region), "reports/pdf/national_report.html"
    static_base = BASE_URL.rstrip("/") + settings.STATIC_URL
    return render_to_string(template, {"data": data, "report": report, "static_base": static_base})


def phase_pdf(*, state: dict, kind: str, repeats: int) -> dict:
    """Time the worker's whole job (claim, data, HTML, WeasyPrint, signing, store), WeasyPrint alone on the same final
    HTML, and signing alone on WeasyPrint's PDF; the peak memory of the worker's job (read after its first render,
    before WeasyPrint alone runs with its heavier default stylesheet) and, for information, of the process after all.
    """
    from weasyprint import HTML

    if _report_row(kind, state) is None:
        return {"built": False}
    from phb_readiness.reports.pdf import BASE_URL, PDF_OPTIONS, StaticFilesOnly

    pdf_sign(HTML(string="<p>warm up the fonts and the signer</p>").write_pdf())
    app, floor, sign, pages, error, job_peak_mb = [], [], [], None, "", None
    for _ in range(repeats):
        report = _report_row(kind, state)
        started = (time.perf_counter(), time.process_time())
        report = report_render(report_id=report.pk)
        app.append((time.perf_counter() - started[0], time.process_time() - started[1]))
        if job_peak_mb is None:
            job_peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        if report.state != "succeeded":
            error = report.error
            break
        pages = report.pages
        html = _report_html(report)
        started = (time.perf_counter(), time.process_time())
        unsigned = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly(), media_type="print").write_pdf(
            **PDF_OPTIONS
        )
        floor.append((time.perf_counter() - started[0], time.process_time() - started[1]))
        started = (time.perf_counter(), time.process_time())
        pdf_sign(unsigned)
        sign.append((time.perf_counter() - started[0], time.process_time() - started[1]))
    process_peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if error:
        return {"built": True, "error": error[:300], "peak_mb": job_peak_mb}
    return {
        "built": True,
        "seconds": round(min(wall for wall, _cpu in app), 3),
        "floor_seconds": round(min(wall for wall, _cpu in floor), 3),
        # signing, part of the job's time (the floor is WeasyPrint alone)
        "sign_seconds": round(min(wall for wall, _cpu in sign), 3),
        # CPU time of the same renders: a ratio that other load on the machine disturbs less than wall time.
        "cpu_seconds": round(min(cpu for _wall, cpu in app), 3),
        "floor_cpu_seconds": round(min(cpu for _wall, cpu in floor), 3),
        "pages": pages,
        "peak_mb": job_peak_mb,
        "process_peak_mb": process_peak_mb,
    }


def write_result(path: str, result: dict) -> None:
    import json

    Path(path).write_text(json.dumps(result, indent=2, default=str))

"""Pages of the national overview and the reports. Thin: check access, call a selector or service, render."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from checklists.rules.access import Need, can
from checklists.rules.evidence import UploadSizeLimit
from checklists.rules.readiness import RAG_RULE
from checklists.selectors.access import get_assessment_for
from phb_readiness.accounts.auth import client_ip
from phb_readiness.audit.services import audit_record
from phb_readiness.outbox.services import in_process_tasks_start, in_process_tasks_taken
from phb_readiness.reports.exports import csv_response, xlsx_response
from phb_readiness.reports.forms import (
    VERIFY_MAX_BYTES,
    OverviewFilterForm,
    SiteReportRequestForm,
    VerifyForm,
    VerifyNumberForm,
)
from phb_readiness.reports.history import programme_history
from phb_readiness.reports.models import Report
from phb_readiness.reports.ratelimit import rate_limit_take
from phb_readiness.reports.selectors import (
    SITE_REPORT_ROLES,
    checklist_tables,
    latest_assessments,
    may_see_programme,
    national_scope_region,
    overview_all,
    overview_page,
    overview_table,
    report_by_sha256,
    report_for,
    report_issued,
    reports_visible_to,
    site_report_data,
)
from phb_readiness.reports.services import (
    file_sha256,
    report_download_record,
    report_request_national,
    report_request_site,
    report_retry,
    report_sweep_stale,
)
from phb_readiness.sites.models import PilotSite, Region, SiteRole, reviewer_scope_of


def _require_reviewer(user) -> None:
    if not may_see_programme(user):
        raise PermissionDenied("The national overview is for SPF reviewers, staff-side observers and administrators.")


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request.user)
    sites = PilotSite.objects.visible_to(request.user)
    form = OverviewFilterForm(request.GET or None, regions=Region.objects.filter(sites__in=sites).distinct())
    filters = form.filters()
    chosen = {
        "region_code": filters["region"],
        "state": filters["state"],
        "rag": filters["rag"],
        "sort": filters["sort"] or "site",
    }
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        header, rows = overview_table(overview_all(sites=sites, **chosen))
        name = f"phb-readiness-overview-{timezone.localdate():%Y-%m-%d}"
        audit_record(
            action="overview.export",
            actor=request.user,
            summary=f"Exported the national overview as {export.upper()}: {len(rows)} sites",
            after={"format": export, "filters": {k: v for k, v in filters.items() if v}, "sites": len(rows)},
        )
        if export == "csv":
            return csv_response(filename=f"{name}.csv", header=header, rows=rows)
        return xlsx_response(filename=f"{name}.xlsx", sheets=[("Overview", header, rows)])
    data = overview_page(sites=sites, page_number=request.GET.get("page") or 1, **chosen)
    scope_region = national_scope_region(request.user)
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    # Administrators see the overview but, by the access table, do not ask for site reports.
    scope = reviewer_scope_of(request.user)
    may_request_site = scope is not None and can(SiteRole(scope.role), Need.REQUEST_REPORT)
    return render(
        request,
        "reports/overview.html",
        {
            "form": form,
            "overview": data,
            "filters": filters,
            "query": query.urlencode(),
            "scope_region": scope_region,
            "history": programme_history(region=scope_region),
            "rag_rule": RAG_RULE,
            "may_request_site": may_request_site,
        },
    )


def _latest_assessment(request: HttpRequest, code: str):
    site = PilotSite.objects.visible_to(request.user).filter(code=code).first()
    if site is None:
        raise Http404("No such site.")
    latest = latest_assessments([site]).get(site.id)
    if latest is None:
        raise Http404("This site has no assessment yet.")
    assessment, _role = get_assessment_for(request.user, latest.pk, need=Need.VIEW)
    return site, assessment


@login_required
@require_GET
def site_checklist_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    site, assessment = _latest_assessment(request, code)
    data = site_report_data(assessment)
    sheets = checklist_tables(data)
    audit_record(
        action="checklist.export",
        actor=request.user,
        obj=assessment,
        site=site,
        summary=f"Exported the checklist of {site.code} ({assessment.round_label}) as XLSX",
        after={"format": "xlsx"},
    )
    return xlsx_response(filename=f"{site.code}-checklist.xlsx", sheets=sheets)


@login_required
@require_GET
def site_checklist_template(request: HttpRequest, code: str) -> HttpResponse:
    """The site's checklist with empty answers: a template to fill in and import. It holds no answers, so it is
    not recorded as an export."""
    site, assessment = _latest_assessment(request, code)
    sheets = checklist_tables(site_report_data(assessment), blank=True)
    return xlsx_response(filename=f"{site.code}-checklist-template.xlsx", sheets=sheets)


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    report_sweep_stale()
    page = Paginator(reports_visible_to(request.user).order_by("-created_at", "-id"), 50).get_page(
        request.GET.get("page")
    )
    own_sites = (
        PilotSite.objects.visible_to(request.user)
        .filter(memberships__user=request.user, memberships__role__in=SITE_REPORT_ROLES)
        .order_by("name")
    )
    latest = latest_assessments(own_sites)
    return render(
        request,
        "reports/list.html",
        {
            "page": page,
            "may_review": may_see_programme(request.user),
            "scope_region": national_scope_region(request.user),
            "own_assessments": [latest[s.id] for s in own_sites if s.id in latest],
        },
    )


def _to_report(request: HttpRequest, report: Report, *, created: bool) -> HttpResponse:
    """To the report's page, with a message that says where the report stands now (never "queued" for one that is
    already there)."""
    report.refresh_from_db(fields=["state", "error"])  # queued on commit, which may have failed (broker down)
    if report.state == Report.State.FAILED:
        messages.error(request, report.error or "The report could not be made: try again.")
    elif report.state == Report.State.SUCCEEDED:
        messages.success(
            request,
            "Your report is ready." if created else "This report was already made from the same data: here it is.",
        )
    else:
        messages.success(
            request, "Your report has been queued." if created else "This report was already asked for: here it is."
        )
    return redirect("reports:detail", pk=report.pk)


def _renders_after_response(view):
    """Without a broker a PDF would be rendered inside the request that asks for it, holding the page for seconds
    with no word of progress. Here the render is taken from the request and started on a thread of its own, so the
    person is sent at once to the report's page, which shows it queued, then running, then ready (as with a worker).
    PHB_BACKGROUND_TASKS off (the tests) keeps the render inside the request."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.PHB_BACKGROUND_TASKS:
            return view(request, *args, **kwargs)
        with in_process_tasks_taken() as tasks:
            response = view(request, *args, **kwargs)
        if tasks:
            in_process_tasks_start(tasks)
        return response

    return wrapped


@login_required
@require_POST
@_renders_after_response
def request_site(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _role = get_assessment_for(request.user, pk, need=Need.REQUEST_REPORT)
    form = SiteReportRequestForm(request.POST)
    include_guidance = form.is_valid() and form.cleaned_data["include_guidance"]
    report, created = report_request_site(assessment=assessment, user=request.user, include_guidance=include_guidance)
    return _to_report(request, report, created=created)


@login_required
@require_POST
@_renders_after_response
def request_national(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request.user)
    report, created = report_request_national(user=request.user, region=national_scope_region(request.user))
    return _to_report(request, report, created=created)


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report_sweep_stale()
    report = report_for(request.user, pk)
    if report is None:
        raise Http404("No such report.")
    active = report.state in (Report.State.QUEUED, Report.State.RUNNING)
    context = {"report": report, "active": active}
    if request.htmx:
        return render(request, "reports/detail.html#status", context)
    return render(request, "reports/detail.html", context)


@login_required
@require_POST
@_renders_after_response
def report_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk)
    if report is None:
        raise Http404("No such report.")
    if report.state == Report.State.FAILED:
        report_retry(report=report, user=request.user)
        messages.success(request, "The report has been queued again.")
    return redirect("reports:detail", pk=report.pk)


@login_required
@require_GET
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request.user, pk)
    if report is None or report.state != Report.State.SUCCEEDED or not report.file:
        raise Http404("No such report.")
    try:
        handle = report.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The report's file is missing from storage.") from exc
    try:  # recorded once the file is there to send
        report_download_record(report=report, user=request.user)
    except BaseException:
        handle.close()
        raise
    subject = report.site.code if report.site_id else (report.region.code if report.region_id else "national")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"phb-readiness-{subject}-report-{report.pk}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@csrf_exempt  # only so the size limit is installed before the body is read; _verify checks the token
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Open to anyone, signed in or not: it tells only whether, when and for which site and round a report was
    issued, never what it says. Checks are counted per person (signed in) or per address before the body is read."""
    if request.method == "POST":
        who = f"user:{request.user.pk}" if request.user.is_authenticated else f"address:{client_ip(request)}"
        wait = rate_limit_take(
            scope="verify", who=who, limit=settings.PHB_VERIFY_LIMIT, window=settings.PHB_VERIFY_WINDOW_SECONDS
        )
        if wait:
            response = render(
                request,
                "reports/verify.html",
                {"limited": True, "limit": settings.PHB_VERIFY_LIMIT, "wait_minutes": -(-wait // 60)},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
    limit = UploadSizeLimit(request, max_bytes=VERIFY_MAX_BYTES)
    request.upload_handlers.insert(0, limit)
    return _verify(request, limit=limit)


@csrf_protect
def _verify(request: HttpRequest, *, limit: UploadSizeLimit) -> HttpResponse:
    """Tell whether an uploaded PDF is a report this service issued, unchanged (by its SHA-256), or whether a report
    number was issued."""
    by_number = request.method == "POST" and "number" in request.POST
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" and not by_number else VerifyForm()
    number_form = VerifyNumberForm(request.POST) if by_number else VerifyNumberForm()
    result = None
    if limit.exceeded:
        form.is_valid()
        form.errors["file"] = form.error_class([VerifyForm.too_big_message()])
    elif by_number and number_form.is_valid():
        number = number_form.cleaned_data["number"]
        result = {"number": number, "report": report_issued(number)}
    elif form.is_bound and form.is_valid():
        sha256 = file_sha256(form.cleaned_data["file"])
        result = {"sha256": sha256, "report": report_by_sha256(sha256)}
    return render(request, "reports/verify.html", {"form": form, "number_form": number_form, "result": result})

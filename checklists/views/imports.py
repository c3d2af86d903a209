"""Importing a checklist spreadsheet: upload a file, see every change it makes (old beside new), confirm.

Nothing is written before the confirmation. The upload is parsed once and the plan kept server-side
(`ChecklistImport`), so the confirmation applies exactly what the preview showed.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from checklists.models import Assessment, ChecklistImport
from checklists.rules.access import Need
from checklists.rules.evidence import UploadSizeLimit
from checklists.rules.imports import ImportRefused
from checklists.selectors.access import get_assessment_for
from checklists.selectors.imports import ImportPlan, import_plan, pending_import_for
from checklists.services.checks import AssessmentNotEditable
from checklists.services.imports import checklist_import_confirm, checklist_import_create
from checklists.services.responses import ResponseConflict
from phb_readiness.sites.models import SiteRole


def _upload_page(
    request: HttpRequest,
    assessment: Assessment,
    *,
    file_error: str = "",
    plan: ImportPlan | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "checklists/import_upload.html",
        {
            "assessment": assessment,
            "file_error": file_error,
            "plan": plan,
            "max_size": filesizeformat(settings.PHB_IMPORT_MAX_BYTES),
        },
        status=status,
    )


@csrf_exempt  # only so the size limit is installed before the body is read; _import_upload checks the token
@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        return _import_form(request, pk=pk)
    limit = UploadSizeLimit(request, max_bytes=settings.PHB_IMPORT_MAX_BYTES)
    request.upload_handlers.insert(0, limit)
    try:
        request.POST  # noqa: B018 -- read here, so a body Django cannot parse is answered below, not with a bare 400
    except MultiPartParserError:
        # Nothing was read, not even the CSRF token, so nothing can change: the form is shown again.
        return _unreadable(request, pk=pk)
    return _import_upload(request, pk=pk, limit=limit)


def _unreadable(request: HttpRequest, *, pk: int) -> HttpResponse:
    assessment, _role = get_assessment_for(request.user, pk, Need.EDIT)
    error = "The upload could not be read (a file name that long cannot be sent). Rename the file and upload it again."
    return _upload_page(request, assessment, file_error=error)


@csrf_protect
def _import_form(request: HttpRequest, *, pk: int) -> HttpResponse:
    assessment, _role = get_assessment_for(request.user, pk, Need.EDIT)
    return _upload_page(request, assessment)


@csrf_protect
def _import_upload(request: HttpRequest, *, pk: int, limit: UploadSizeLimit) -> HttpResponse:
    assessment, role = get_assessment_for(request.user, pk, Need.EDIT)
    if not assessment.is_editable:
        return _upload_page(
            request,
            assessment,
            file_error=f"The answers are frozen while the assessment is {assessment.get_state_display().lower()}, "
            "so nothing can be imported.",
        )
    upload = request.FILES.get("file")
    if limit.exceeded:
        error = (
            f"The selected file must be smaller than {filesizeformat(settings.PHB_IMPORT_MAX_BYTES)}. A checklist "
            "spreadsheet is far smaller: check that you chose the right file."
        )
        return _upload_page(request, assessment, file_error=error)
    if limit.name_too_long:
        error = "The selected file's name is too long. Rename the file to 255 characters or fewer and upload it again."
        return _upload_page(request, assessment, file_error=error)
    if upload is None:
        return _upload_page(request, assessment, file_error="Select the checklist spreadsheet (.xlsx) to import")
    try:
        plan = import_plan(assessment=assessment, role=role, data=upload.read(), filename=upload.name or "upload")
    except ImportRefused as exc:
        return _upload_page(request, assessment, file_error=str(exc))
    if plan.errors or not plan.entries:
        return _upload_page(request, assessment, plan=plan)
    pending = checklist_import_create(plan=plan, user=request.user)
    return redirect("checklists:import_preview", pk=assessment.pk, import_pk=pending.pk)


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, pk: int, import_pk: int) -> HttpResponse:
    """Every change the pending import makes; POST confirms it (with the conflicts chosen for overwriting)."""
    assessment, role = get_assessment_for(request.user, pk, Need.EDIT)
    pending = pending_import_for(user=request.user, assessment=assessment, pk=import_pk)
    pending.assessment = assessment
    if request.method == "POST":
        return _confirm(request, assessment=assessment, role=role, pending=pending)
    return _preview_page(request, assessment, pending)


def _preview_page(
    request: HttpRequest, assessment: Assessment, pending: ChecklistImport, *, error: str = "", status: int = 200
) -> HttpResponse:
    entries = pending.rows
    return render(
        request,
        "checklists/import_preview.html",
        {
            "assessment": assessment,
            "pending": pending,
            "changes": [e for e in entries if not e["conflict"] and not e.get("carried")],
            "conflicts": [e for e in entries if e["conflict"]],
            "carried": [e for e in entries if e.get("carried")],
            "confirm_carried": request.method == "POST" and request.POST.get("confirm_carried") == "on",
            "error": error,
            "overwrite": set(request.POST.getlist("overwrite")) if request.method == "POST" else set(),
        },
        status=status,
    )


def _confirm(request: HttpRequest, *, assessment: Assessment, role: SiteRole, pending: ChecklistImport) -> HttpResponse:
    overwrite = set(request.POST.getlist("overwrite"))
    try:
        result = checklist_import_confirm(
            pending=pending,
            user=request.user,
            role=role,
            overwrite=overwrite,
            confirm_carried=request.POST.get("confirm_carried") == "on",
        )
    except ResponseConflict as exc:
        error = (
            f"{exc.current.item.code} was changed by someone else after your preview. Nothing was imported. Upload "
            "the spreadsheet again to see its changes against the checklist as it stands now."
        )
        return _preview_page(request, assessment, pending, error=error, status=409)
    except AssessmentNotEditable:
        error = "The assessment was submitted after your preview, so its answers are frozen. Nothing was imported."
        return _preview_page(request, assessment, pending, error=error, status=409)
    except (ValidationError, PermissionDenied) as exc:
        detail = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        error = f"The import could not be applied, so nothing was imported: {detail}. Upload the spreadsheet again."
        return _preview_page(request, assessment, pending, error=error, status=409)
    text = f"Imported {len(result.applied)} changed item{'s' if len(result.applied) != 1 else ''}"
    text += f": {', '.join(result.applied)}." if result.applied else "."
    if result.confirmed:
        text += f" Confirmed {len(result.confirmed)} answer{'s' if len(result.confirmed) != 1 else ''} carried forward."
    if result.left_alone:
        text += f" Left alone, as changed since the spreadsheet was written: {', '.join(result.left_alone)}."
    messages.success(request, text)
    return redirect(reverse("checklists:assessment", kwargs={"pk": assessment.pk}))

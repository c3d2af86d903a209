"""Pages of evidence: adding a file or link to an item, removing it, downloading a file."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from checklists.forms.evidence import EvidenceFileForm, EvidenceLinkForm
from checklists.models import Evidence
from checklists.rules.access import Need
from checklists.rules.evidence import (
    UploadSizeLimit,
    download_content_type,
    download_filename,
    name_too_long_error,
    too_big_error,
)
from checklists.selectors.access import assessments_visible_to, get_assessment_for, get_response_for
from checklists.selectors.responses import item_page_for
from checklists.selectors.signoffs import signed_section
from checklists.services.checks import AssessmentNotEditable
from checklists.services.evidence import evidence_add_file, evidence_add_link, evidence_remove
from checklists.views.responses import render_item_page
from phb_readiness.audit.services import audit_record
from phb_readiness.sites.models import SiteRole


def _evidence_url(assessment_pk: int, code: str) -> str:
    return reverse("checklists:item", kwargs={"pk": assessment_pk, "code": code}) + "#evidence"


def _visible_evidence(user, pk: int) -> Evidence:
    """Current evidence on an assessment the person may see; 404 otherwise (unknown and forbidden look the same)."""
    evidence = (
        Evidence.objects.current()
        .filter(pk=pk, response__assessment__in=assessments_visible_to(user))
        .select_related("response__item__section", "uploaded_by")
        .first()
    )
    if evidence is None:
        raise Http404("No such evidence.")
    return evidence


@csrf_exempt  # only so the size limit is installed before the body is read; _evidence_add checks the token
@login_required
@require_POST
def evidence_add(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    limit = UploadSizeLimit(request, max_bytes=settings.EVIDENCE_MAX_BYTES)
    request.upload_handlers.insert(0, limit)
    try:
        request.POST  # noqa: B018 -- read here, so a body Django cannot parse is answered below, not with a bare 400
    except MultiPartParserError as exc:
        if "header size" not in str(exc):
            raise
        # A part's headers are limited to 1 KB, and a file name of several hundred characters passes that. Nothing
        # was read (not even the CSRF token), so nothing is changed: the page is shown again with what to do.
        return _name_too_long(request, pk=pk, code=code)
    return _evidence_add(request, pk=pk, code=code, limit=limit)


def _name_too_long(request: HttpRequest, *, pk: int, code: str) -> HttpResponse:
    response, role = get_response_for(request.user, pk, code, Need.EDIT)
    form = EvidenceFileForm({}, {})
    form.is_valid()
    form.errors["file"] = form.error_class(name_too_long_error().messages)
    page = item_page_for(response=response)
    return render_item_page(request, assessment=response.assessment, role=role, page=page, upload_form=form)


@csrf_protect
def _evidence_add(request: HttpRequest, *, pk: int, code: str, limit: UploadSizeLimit) -> HttpResponse:
    """Add a file (multipart, prefix "upload") or a link (prefix "link") to an item."""
    response, role = get_response_for(request.user, pk, code, Need.EDIT)
    assessment, page = response.assessment, item_page_for(response=response)
    is_link = "link-url" in request.POST
    form = EvidenceLinkForm(request.POST) if is_link else EvidenceFileForm(request.POST, request.FILES)
    if (limit.exceeded or limit.name_too_long) and not is_link:
        form.is_valid()
        error = too_big_error(settings.EVIDENCE_MAX_BYTES) if limit.exceeded else name_too_long_error()
        form.errors["file"] = form.error_class(error.messages)
    elif form.is_valid():
        try:
            if is_link:
                evidence = evidence_add_link(
                    response=page.response,
                    user=request.user,
                    url=form.cleaned_data["url"],
                    title=form.cleaned_data["title"],
                    **form.dates,
                )
            else:
                evidence = evidence_add_file(
                    response=page.response,
                    user=request.user,
                    uploaded_file=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                    **form.dates,
                )
        except AssessmentNotEditable as exc:
            messages.error(request, str(exc))
            return redirect(_evidence_url(assessment.pk, code))
        except ValidationError as exc:
            form.add_error("url" if is_link else "file", exc)
        else:
            messages.success(request, f"Evidence added to {code}: {evidence.title}.")
            return redirect(_evidence_url(assessment.pk, code))
    forms = {"link_form": form} if is_link else {"upload_form": form}
    return render_item_page(request, assessment=assessment, role=role, page=page, **forms)


@login_required
@require_http_methods(["GET", "POST"])
def evidence_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: ask to confirm the removal (saying when it would supersede the section's sign-off); POST: remove."""
    evidence = _visible_evidence(request.user, pk)
    assessment, role = get_assessment_for(request.user, evidence.response.assessment_id, Need.EDIT)
    if request.method == "GET":
        if role != SiteRole.MANAGER and evidence.uploaded_by_id != request.user.pk:
            raise PermissionDenied("You can remove only evidence you added; ask a pilot manager to remove this.")
        if not assessment.is_editable:
            messages.error(request, str(AssessmentNotEditable(assessment)))
            return redirect(_evidence_url(assessment.pk, evidence.response.item.code))
        context = {
            "assessment": assessment,
            "evidence": evidence,
            "item": evidence.response.item,
            "section": evidence.response.item.section,
            "signed_section": signed_section(assessment, evidence.response.item.section_id),
        }
        return render(request, "checklists/evidence_remove.html", context)
    try:
        evidence_remove(evidence=evidence, user=request.user)
    except AssessmentNotEditable as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Evidence removed from {evidence.response.item.code}: {evidence.title}.")
    return redirect(_evidence_url(assessment.pk, evidence.response.item.code))


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A private evidence file, only to people who may see the assessment, always as a download (CSV as plain
    text, so no browser hands it to a spreadsheet to run its formulas)."""
    evidence = _visible_evidence(request.user, pk)
    assessment, _role = get_assessment_for(request.user, evidence.response.assessment_id, Need.VIEW)
    if evidence.kind != Evidence.Kind.FILE:
        raise Http404("This evidence is a link, not a file.")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage.") from exc
    try:  # recorded once the file is there to send
        audit_record(
            action="evidence.download",
            actor=request.user,
            obj=evidence,
            site=assessment.site,
            summary=f"Downloaded evidence on {evidence.response.item.code}: {evidence.title}",
            after={"sha256": evidence.sha256},
        )
    except BaseException:
        handle.close()
        raise
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_filename(evidence.original_filename, evidence.content_type),
        content_type=download_content_type(evidence.content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

"""Pages of two-party sign-off: a section's sign-off (sign, acknowledge or decline) and the register."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from checklists.forms.signoffs import AcknowledgeForm, DeclineForm, ManagementSignOffForm
from checklists.models import Section, SignOff
from checklists.rules.access import Need, can
from checklists.rules.readiness import SignOffState
from checklists.selectors.access import get_assessment_for
from checklists.selectors.readiness import section_readiness
from checklists.selectors.responses import section_responses
from checklists.selectors.signoffs import register_for
from checklists.services import signoffs as services
from checklists.services.checks import PartnershipError
from checklists.views import READ_METHODS

SIGNOFF_ACTIONS = {
    "sign": (
        Need.MANAGE,
        services.signoff_management,
        "{section} signed off for management. The staff side has been asked to acknowledge.",
    ),
    "acknowledge": (Need.ACKNOWLEDGE, services.signoff_acknowledge, "{section} acknowledged for the staff side."),
    "decline": (
        Need.ACKNOWLEDGE,
        services.signoff_decline,
        "Acknowledgement declined. Your reason is now an open concern on the item you chose.",
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def signoff(request: HttpRequest, pk: int, section_code: str) -> HttpResponse:
    """Sign a section for management, or acknowledge (or decline) it for the staff side."""
    assessment, role = get_assessment_for(request.user, pk, need=Need.VIEW)
    section = get_object_or_404(Section, framework_id=assessment.framework_id, code=section_code)
    readiness = next(s for s in assessment.readiness.section_figures if s.section_id == section.pk)
    if request.method == "POST" and not (can(role, Need.MANAGE) or can(role, Need.ACKNOWLEDGE)):
        raise PermissionDenied(f"Your role ({role.label}) cannot sign off sections.")
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if request.method == "POST" else None
    forms = {
        "sign": ManagementSignOffForm(data if action == "sign" else None),
        "acknowledge": AcknowledgeForm(data if action == "acknowledge" else None),
        "decline": DeclineForm(data if action == "decline" else None, responses=section_responses(assessment, section)),
    }
    if action in SIGNOFF_ACTIONS:
        need, change, done = SIGNOFF_ACTIONS[action]
        if not can(role, need):
            raise PermissionDenied(f"Your role ({role.label}) cannot do this.")
        form = forms[action]
        if form.is_valid():
            try:
                change(assessment=assessment, section=section, user=request.user, role=role, **form.cleaned_data)
            except PartnershipError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, done.format(section=section.title))
                return redirect("partnership:signoff", pk=assessment.pk, section_code=section.code)
        readiness = section_readiness(assessment, section)
    history = list(
        SignOff.objects.filter(assessment=assessment, section=section)
        .select_related("signed_by")
        .order_by("-created_at", "-id")
    )
    return render(
        request,
        "partnership/signoff.html",
        {
            "assessment": assessment,
            "role": role,
            "section": readiness,
            "history": history,
            "current_signoffs": [s for s in reversed(history) if s.pk in readiness.current_signoff_ids],
            "sign_form": forms["sign"],
            "ack_form": forms["acknowledge"],
            "decline_form": forms["decline"],
            "can_sign": can(role, Need.MANAGE)
            and assessment.is_editable
            and readiness.signoff in (SignOffState.NONE, SignOffState.SUPERSEDED),
            "can_acknowledge": can(role, Need.ACKNOWLEDGE)
            and assessment.is_editable
            and readiness.signoff == SignOffState.MANAGEMENT_ONLY,
        },
    )


@login_required
def register(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, role = get_assessment_for(request.user, pk, need=Need.VIEW)
    if request.method not in READ_METHODS:
        return HttpResponseNotAllowed(READ_METHODS)
    return render(
        request,
        "partnership/register.html",
        {"assessment": assessment, "role": role, "register": register_for(assessment)},
    )

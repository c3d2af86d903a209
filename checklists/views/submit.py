from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from checklists.access import Need, can, get_assessment_for
from checklists.models import Assessment
from checklists.selectors import Blocker, submit_blockers
from checklists.services import AssessmentNotEditable, SubmitBlocked, assessment_submit
from phb_readiness.sites.models import SiteRole


def _render(
    request: HttpRequest, assessment: Assessment, role: SiteRole, blockers: list[Blocker], *, failed: bool = False
) -> HttpResponse:
    return render(
        request,
        "checklists/submit.html",
        {
            "assessment": assessment,
            "role": role,
            "blockers": blockers,
            "blocker_groups": [
                ("item", "Mandatory items without an answer", [b for b in blockers if b.kind == "item"]),
                ("concern", "Open concerns", [b for b in blockers if b.kind == "concern"]),
                ("signoff", "Sections without a current sign-off", [b for b in blockers if b.kind == "signoff"]),
            ],
            "can_submit": can(role, Need.MANAGE) and assessment.is_editable,
            "failed": failed,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """What stands between the assessment and review (anyone who may see it); submitting it (managers only)."""
    assessment, role = get_assessment_for(request.user, pk, Need.MANAGE if request.method == "POST" else Need.VIEW)
    if request.method == "GET":
        blockers = submit_blockers(assessment=assessment)
        return _render(request, assessment, role, blockers)
    try:
        assessment_submit(assessment=assessment, user=request.user)
    except AssessmentNotEditable as exc:
        messages.error(request, str(exc))
        return redirect("checklists:assessment", pk=assessment.pk)
    except SubmitBlocked as exc:
        return _render(request, assessment, role, exc.blockers, failed=True)
    messages.success(request, f"{assessment.round_label} was submitted for review.")
    return redirect("checklists:assessment", pk=assessment.pk)

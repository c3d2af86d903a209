"""Pages of submission and review: what blocks submission and submitting, the review outcome, a new round."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from checklists.forms.review import AcceptForm, NewRoundForm, ReturnForm
from checklists.models import Assessment
from checklists.rules.access import Need, can
from checklists.rules.readiness import RAG_RULE
from checklists.selectors.access import get_assessment_for
from checklists.selectors.readiness import readiness_for
from checklists.selectors.responses import task_list_url
from checklists.selectors.review import Blocker, submit_blockers
from checklists.services.assessments import SubmitBlocked, assessment_new_round, assessment_submit
from checklists.services.checks import AssessmentNotEditable, PartnershipError
from checklists.services.review import assessment_accept, assessment_return
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
        blockers = submit_blockers(assessment=assessment, readiness=assessment.readiness)
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


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The review outcome of an assessment; a reviewer accepts a submitted one or returns it with reasons."""
    assessment, role = get_assessment_for(request.user, pk, need=Need.REVIEW if request.method == "POST" else Need.VIEW)
    action = request.POST.get("action") if request.method == "POST" else None
    accept_form = AcceptForm(request.POST if action == "accept" else None)
    return_form = ReturnForm(request.POST if action == "return" else None)
    if action in ("accept", "return"):
        form = accept_form if action == "accept" else return_form
        if form.is_valid():
            try:
                if action == "accept":
                    assessment_accept(assessment=assessment, user=request.user, role=role, **form.cleaned_data)
                    done = "Assessment accepted. It is now frozen; the site has been told."
                else:
                    assessment_return(assessment=assessment, user=request.user, role=role, **form.cleaned_data)
                    done = "Assessment returned to the site with your reasons."
            except PartnershipError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, done)
                return redirect("partnership:review", pk=assessment.pk)
    return render(
        request,
        "partnership/review.html",
        {
            "assessment": assessment,
            "role": role,
            "readiness": readiness_for(assessment),  # as it is now, after any outcome recorded above
            "rag_rule": RAG_RULE,
            "accept_form": accept_form,
            "return_form": return_form,
            "new_round_form": NewRoundForm(),
            "can_review": can(role, Need.REVIEW) and assessment.state == Assessment.State.SUBMITTED,
            "can_start_round": (can(role, Need.MANAGE) or can(role, Need.REVIEW))
            and assessment.state == Assessment.State.ACCEPTED,
            "rounds": list(assessment.carried_forward_to.order_by("created_at")),
        },
    )


@login_required
@require_POST
def new_round(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, role = get_assessment_for(request.user, pk, need=Need.VIEW)
    if not (can(role, Need.MANAGE) or can(role, Need.REVIEW)):
        raise PermissionDenied("Only a pilot manager or a reviewer can start a new round.")
    form = NewRoundForm(request.POST)
    if form.is_valid():
        try:
            created = assessment_new_round(
                assessment=assessment, user=request.user, role=role, round_label=form.cleaned_data["round_label"]
            )
        except PartnershipError as error:
            form.add_error("round_label", str(error))
        else:
            messages.success(request, f"{created.round_label} started, with the answers carried forward for review.")
            return redirect(task_list_url(created.pk) or reverse("partnership:review", args=[created.pk]))
    return render(request, "partnership/new_round.html", {"assessment": assessment, "role": role, "form": form})

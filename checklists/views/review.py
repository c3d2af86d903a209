"""Pages of submission and review: what blocks submission and submitting, the review outcome, a new round."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from checklists.forms.review import AcceptForm, NewRoundForm, QueryAnswerForm, ReturnForm
from checklists.models import Assessment, Rag, ReviewQuery
from checklists.rules.access import Need, can
from checklists.rules.readiness import RAG_RULE
from checklists.selectors.access import get_assessment_for
from checklists.selectors.frameworks import framework_structure
from checklists.selectors.responses import item_url, task_list_url
from checklists.selectors.review import Blocker, accept_refusals, review_page, submit_blockers
from checklists.services.assessments import SubmitBlocked, assessment_new_round, assessment_submit
from checklists.services.checks import AssessmentNotEditable, PartnershipError
from checklists.services.review import (
    assessment_accept,
    assessment_return,
    review_query_answer,
    review_query_resolve,
)
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
                ("query", "Reviewer's queries without an answer", [b for b in blockers if b.kind == "query"]),
                ("item", "Mandatory items without an answer", [b for b in blockers if b.kind == "item"]),
                ("evidence", "Evidence missing", [b for b in blockers if b.kind == "evidence"]),
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
    """The review of an assessment: its history, item queries and what changed since it was returned; a reviewer
    accepts a submitted one or returns it with reasons and item queries, each after a confirmation step."""
    assessment, role = get_assessment_for(request.user, pk, need=Need.REVIEW if request.method == "POST" else Need.VIEW)
    structure = framework_structure(assessment.framework)
    red = assessment.readiness.rag == Rag.RED
    action = request.POST.get("action") if request.method == "POST" else None
    accept_form = AcceptForm(request.POST if action == "accept" else None, red=red)
    return_form = ReturnForm(request.POST if action == "return" else None, item_codes=structure.codes)
    if action in ("accept", "return"):
        form = accept_form if action == "accept" else return_form
        if "change" not in request.POST:
            # Refusals are said at once, before any confirmation step (the service checks them again).
            form.is_valid()
            if action == "accept":
                refusals = accept_refusals(assessment)
            elif assessment.state != Assessment.State.SUBMITTED:
                refusals = ["This assessment is not awaiting review."]
            else:
                refusals = []
            for refusal in refusals:
                form.add_error(None, refusal)
            if form.is_valid() and request.POST.get("confirm") != "yes":
                return _confirm(request, assessment, role, action, form, structure)
            if form.is_valid():
                try:
                    done = _record(request, assessment, role, action, form)
                except PartnershipError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, done)
                    return redirect("partnership:review", pk=assessment.pk)
    page = review_page(assessment)
    return render(
        request,
        "partnership/review.html",
        {
            "assessment": assessment,
            "role": role,
            "readiness": assessment.readiness,  # read with the assessment (an outcome recorded redirects)
            "rag_rule": RAG_RULE,
            "red": red,
            "page": page,
            "accept_form": accept_form,
            "return_form": return_form,
            "query_sections": _query_sections(return_form, structure),
            "new_round_form": NewRoundForm(),
            "can_review": can(role, Need.REVIEW) and assessment.state == Assessment.State.SUBMITTED,
            "can_start_round": (can(role, Need.MANAGE) or can(role, Need.REVIEW))
            and assessment.state == Assessment.State.ACCEPTED,
            "rounds": list(assessment.carried_forward_to.order_by("created_at")),
        },
    )


def _record(request: HttpRequest, assessment: Assessment, role, action: str, form) -> str:
    """Accept or return, once confirmed; the message to show."""
    if action == "accept":
        assessment_accept(assessment=assessment, user=request.user, role=role, **form.cleaned_data)
        return "Assessment accepted. It is now frozen; the site has been told."
    assessment_return(assessment=assessment, user=request.user, role=role, **form.service_data())
    asked = len(form.queries)
    queries = f" and {asked} item quer{'y' if asked == 1 else 'ies'}" if asked else ""
    return f"Assessment returned to the site with your reasons{queries}. The site has been told."


def _query_sections(form: ReturnForm, structure) -> list[tuple]:
    """The return form's query boxes by section: (section, [(item, bound field)], whether to show it open)."""
    sections = []
    for section in structure.sections:
        fields = [(item, form[f"query-{item.code}"]) for item in structure.items if item.section_id == section.id]
        opened = any(field.value() or field.errors for _, field in fields)
        sections.append((section, fields, opened))
    return sections


def _confirm(request: HttpRequest, assessment: Assessment, role, action: str, form, structure) -> HttpResponse:
    """The confirmation step (a page of its own, so it works without JavaScript): what will be recorded, carried
    in hidden fields, and one button to do it."""
    questions = {item.code: item for item in structure.items}
    hidden = [(name, value) for name, value in form.cleaned_data.items() if value]
    return render(
        request,
        "partnership/review_confirm.html",
        {
            "assessment": assessment,
            "role": role,
            "action": action,
            "form": form,
            "hidden": hidden,
            "queries": [(questions[code], q) for code, q in form.queries.items()] if action == "return" else [],
            "red": action == "accept" and form.red,
        },
    )


def _query_of(assessment: Assessment, query_id: int) -> ReviewQuery:
    return get_object_or_404(
        ReviewQuery.objects.select_related("response__item", "asked_by"), pk=query_id, assessment=assessment
    )


@login_required
@require_http_methods(["GET", "POST"])
def query_answer(request: HttpRequest, pk: int, query_id: int) -> HttpResponse:
    """A pilot manager answers the reviewer's query on an item. The item page holds the form; errors come back here."""
    assessment, role = get_assessment_for(request.user, pk, need=Need.MANAGE)
    query = _query_of(assessment, query_id)
    form = QueryAnswerForm(request.POST or None, initial={"answer": query.answer})
    if request.method == "POST" and form.is_valid():
        try:
            review_query_answer(query=query, user=request.user, role=role, answer=form.cleaned_data["answer"])
        except PartnershipError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Your answer to the query on {query.response.item.code} was saved.")
            url = item_url(assessment.pk, query.response.item.code) or reverse("partnership:review", args=[pk])
            return redirect(f"{url}#query-{query.pk}")
    return render(
        request,
        "partnership/query_answer.html",
        {"assessment": assessment, "role": role, "query": query, "response": query.response, "form": form},
    )


@login_required
@require_POST
def query_resolve(request: HttpRequest, pk: int, query_id: int) -> HttpResponse:
    """The reviewer resolves an answered query, or keeps it open: two buttons on the review page, no fields."""
    assessment, role = get_assessment_for(request.user, pk, need=Need.REVIEW)
    query = _query_of(assessment, query_id)
    resolved = request.POST.get("decision") != "keep_open"
    try:
        review_query_resolve(query=query, user=request.user, role=role, resolved=resolved)
    except PartnershipError as error:
        messages.error(request, str(error))
    else:
        code = query.response.item.code
        messages.success(
            request,
            f"The query on {code} is resolved."
            if resolved
            else f"The query on {code} stays open: it goes back to the site with your next return.",
        )
    return redirect(reverse("partnership:review", args=[pk]) + f"#query-{query.pk}")


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

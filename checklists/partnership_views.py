"""Pages of the partnership features: check access, validate the form, call a service, redirect or render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from checklists import partnership as services
from checklists.access import Need, can, get_assessment_for
from checklists.models import Assessment, Comment, NotificationPreference, Response, Section, SignOff
from checklists.partnership import PartnershipError
from checklists.partnership_forms import (
    AcceptForm,
    AcknowledgeForm,
    AnswerForm,
    CommentForm,
    DeclineForm,
    ManagementSignOffForm,
    NewRoundForm,
    PreferencesForm,
    ReturnForm,
)
from checklists.partnership_selectors import (
    activity_for_site,
    concerns_for_site,
    item_url,
    register_for,
    site_for,
    task_list_url,
)
from checklists.readiness import RAG_RULE, SignOffState
from checklists.selectors import readiness_for
from phb_readiness.sites.models import SiteRole

# Read-only pages check access before the method, so that outsiders get 404 whatever they send.
READ_METHODS = ["GET", "HEAD"]


def _back_to_item(assessment: Assessment, response: Response, anchor: str = "comments") -> HttpResponse:
    url = item_url(assessment.pk, response.item.code) or reverse("partnership:concerns", args=[assessment.site.code])
    return redirect(f"{url}#{anchor}")


def _response_of(assessment: Assessment, code: str) -> Response:
    return get_object_or_404(Response.objects.select_related("item__section"), assessment=assessment, item__code=code)


# --- comments and concerns -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def comment_create(request: HttpRequest, pk: int, code: str, concern: bool = False) -> HttpResponse:
    """Add a comment (or raise a concern) on an item. The item page holds the form; errors come back here."""
    assessment, role = get_assessment_for(request.user, pk, need=Need.RAISE_CONCERN if concern else Need.COMMENT)
    response = _response_of(assessment, code)
    form = CommentForm(request.POST or None, concern=concern)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_create(
                response=response, user=request.user, role=role, body=form.cleaned_data["body"], is_concern=concern
            )
        except PartnershipError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "Concern raised. The site's managers have been told." if concern else "Comment added."
            )
            return _back_to_item(assessment, response)
    return render(
        request,
        "partnership/comment_form.html",
        {"assessment": assessment, "response": response, "form": form, "concern": concern, "role": role},
    )


def _concern_of(assessment: Assessment, comment_id: int) -> Comment:
    return get_object_or_404(
        Comment.objects.select_related("response__item", "author"),
        pk=comment_id,
        is_concern=True,
        response__assessment=assessment,
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern_answer(request: HttpRequest, pk: int, comment_id: int) -> HttpResponse:
    assessment, role = get_assessment_for(request.user, pk, need=Need.MANAGE)
    concern = _concern_of(assessment, comment_id)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_answer(concern=concern, user=request.user, role=role, answer=form.cleaned_data["answer"])
        except PartnershipError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Concern answered. The person who raised it has been told.")
            return _back_to_item(assessment, concern.response, f"comment-{concern.pk}")
    return render(
        request,
        "partnership/answer_form.html",
        {"assessment": assessment, "concern": concern, "response": concern.response, "form": form, "role": role},
    )


@login_required
@require_POST
def concern_transition(request: HttpRequest, pk: int, comment_id: int, action: str) -> HttpResponse:
    """Close or reopen a concern: buttons on the item page, no fields."""
    assessment, role = get_assessment_for(request.user, pk, need=Need.VIEW)
    concern = _concern_of(assessment, comment_id)
    change = services.concern_close if action == "close" else services.concern_reopen
    try:
        change(concern=concern, user=request.user, role=role)
    except PartnershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Concern closed." if action == "close" else "Concern reopened.")
    return _back_to_item(assessment, concern.response, f"comment-{concern.pk}")


@login_required
def site_concerns(request: HttpRequest, code: str) -> HttpResponse:
    site, role = site_for(request.user, code)
    if request.method not in READ_METHODS:
        return HttpResponseNotAllowed(READ_METHODS)
    show_closed = request.GET.get("show") == "all"
    concerns = concerns_for_site(site=site, show_closed=show_closed)
    return render(
        request,
        "partnership/concerns.html",
        {"site": site, "role": role, "concerns": concerns, "show_closed": show_closed},
    )


# --- sign-off --------------------------------------------------------------------------------------------------


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
    readiness = services.section_readiness(assessment, section)
    if request.method == "POST" and not (can(role, Need.MANAGE) or can(role, Need.ACKNOWLEDGE)):
        raise PermissionDenied(f"Your role ({role.label}) cannot sign off sections.")
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if request.method == "POST" else None
    forms = {
        "sign": ManagementSignOffForm(data if action == "sign" else None),
        "acknowledge": AcknowledgeForm(data if action == "acknowledge" else None),
        "decline": DeclineForm(data if action == "decline" else None, responses=readiness.responses),
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
        readiness = services.section_readiness(assessment, section)
    history = (
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
            "history": list(history),
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


# --- review outcomes -------------------------------------------------------------------------------------------


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
                    services.assessment_accept(assessment=assessment, user=request.user, role=role, **form.cleaned_data)
                    done = "Assessment accepted. It is now frozen; the site has been told."
                else:
                    services.assessment_return(assessment=assessment, user=request.user, role=role, **form.cleaned_data)
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
            "readiness": readiness_for(assessment),
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
            created = services.assessment_new_round(
                assessment=assessment, user=request.user, role=role, round_label=form.cleaned_data["round_label"]
            )
        except PartnershipError as error:
            form.add_error("round_label", str(error))
        else:
            messages.success(request, f"{created.round_label} started, with the answers carried forward for review.")
            return redirect(task_list_url(created.pk) or reverse("partnership:review", args=[created.pk]))
    return render(request, "partnership/new_round.html", {"assessment": assessment, "role": role, "form": form})


# --- notifications and activity --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    off = set(
        NotificationPreference.objects.filter(user=request.user, enabled=False).values_list("category", flat=True)
    )
    initial = {"categories": [c for c in NotificationPreference.Category.values if c not in off]}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.preferences_save(user=request.user, enabled=set(form.cleaned_data["categories"]))
        messages.success(request, "Your e-mail preferences have been saved.")
        return redirect("partnership:preferences")
    return render(request, "partnership/preferences.html", {"form": form})


@login_required
def activity(request: HttpRequest, code: str) -> HttpResponse:
    """What happened at a site, newest first; for a union rep, what changed since their last visit."""
    site, role = site_for(request.user, code)
    if request.method not in READ_METHODS:
        return HttpResponseNotAllowed(READ_METHODS)
    page_number = request.GET.get("page") or 1
    last_seen_at = None
    if role == SiteRole.UNION_REP:
        if str(page_number) == "1":
            last_seen_at = services.site_visit_touch(user=request.user, site=site)
    feed = activity_for_site(site=site, page_number=page_number, last_seen_at=last_seen_at)
    return render(
        request,
        "partnership/activity.html",
        {
            "site": site,
            "role": role,
            "feed": feed,
            "last_seen_at": last_seen_at,
            "new_count": sum(row.is_new for row in feed.rows),
        },
    )

"""Pages of comments and concerns: commenting and raising a concern on an item, answering, closing and reopening
it, a site's concerns."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from checklists.forms.comments import AnswerForm, CloseConcernForm, CommentForm
from checklists.models import Assessment, Comment, Response
from checklists.rules.access import Need
from checklists.selectors.access import get_assessment_for, site_for
from checklists.selectors.comments import concerns_for_site
from checklists.selectors.responses import item_url
from checklists.services import comments as services
from checklists.services.checks import PartnershipError
from checklists.views import READ_METHODS


def _back_to_item(assessment: Assessment, response: Response, anchor: str = "comments") -> HttpResponse:
    url = item_url(assessment.pk, response.item.code) or reverse("partnership:concerns", args=[assessment.site.code])
    return redirect(f"{url}#{anchor}")


def _response_of(assessment: Assessment, code: str) -> Response:
    return get_object_or_404(Response.objects.select_related("item__section"), assessment=assessment, item__code=code)


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
    """Reopen a concern (or close one's own): a button on the item page, no fields."""
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
@require_http_methods(["GET", "POST"])
def concern_close(request: HttpRequest, pk: int, comment_id: int) -> HttpResponse:
    """Close a concern. Its raiser closes it with one button; anyone else who may (a reviewer) gives a reason on this
    page, which the raiser sees and is sent."""
    assessment, role = get_assessment_for(request.user, pk, need=Need.VIEW)
    concern = _concern_of(assessment, comment_id)
    if not services.may_close(concern, request.user, role):
        raise PermissionDenied("Only the person who raised this concern, or a reviewer, can close it.")
    own = concern.author_id == request.user.pk
    form = CloseConcernForm(request.POST if request.method == "POST" and not own else None)
    if request.method == "POST" and (own or form.is_valid()):
        try:
            services.concern_close(
                concern=concern, user=request.user, role=role, reason="" if own else form.cleaned_data["reason"]
            )
        except PartnershipError as error:
            if own:
                messages.error(request, str(error))
                return _back_to_item(assessment, concern.response, f"comment-{concern.pk}")
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "Concern closed." if own else "Concern closed. The person who raised it has been told why."
            )
            return _back_to_item(assessment, concern.response, f"comment-{concern.pk}")
    return render(
        request,
        "partnership/concern_close.html",
        {
            "assessment": assessment,
            "concern": concern,
            "response": concern.response,
            "form": form,
            "role": role,
            "own": own,
        },
    )


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

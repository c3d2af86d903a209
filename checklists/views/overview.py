"""The task list of an assessment: readiness per section, each item's status, and filters."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from checklists.forms.overview import OverviewFilterForm
from checklists.models import Item, Response
from checklists.rules.access import Need, can
from checklists.rules.readiness import RAG_RULE
from checklists.selectors.access import get_assessment_for
from checklists.selectors.responses import assessment_overview


@login_required
@require_GET
def assessment_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessment as a task list per section, with readiness and filters (a GET form: no JavaScript needed)."""
    assessment, role = get_assessment_for(request.user, pk, Need.VIEW)
    filter_form = OverviewFilterForm(request.GET or None)
    overview = assessment_overview(assessment=assessment, user=request.user, filters=filter_form.filters())
    return render(
        request,
        "checklists/assessment.html",
        {
            "assessment": assessment,
            "role": role,
            "overview": overview,
            "filter_form": filter_form,
            "filters": filter_form.filters(),
            "statuses": Response.Status.choices,
            "provenances": Item.Provenance.choices,
            "rag_rule": RAG_RULE,
            "can_edit": can(role, Need.EDIT) and assessment.is_editable,
            "can_submit": can(role, Need.MANAGE) and assessment.is_editable,
            "can_request_report": can(role, Need.REQUEST_REPORT),
        },
    )

"""The home page: the sites a person works on and how far each assessment has got."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from checklists.selectors.sites import assessment_progress, home_for


@login_required
def my_sites(request: HttpRequest) -> HttpResponse:
    """Each site the person belongs to, their role there, and how far each assessment has got."""
    context = home_for(user=request.user)
    assessments = [a for row in context["site_rows"] for a in row["site"].assessments.all()]
    progress = assessment_progress(assessment_ids=[a.pk for a in assessments])
    for assessment in assessments:
        assessment.progress = progress.get(assessment.pk)
    return render(request, "home.html", context)

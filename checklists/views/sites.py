"""The home page: the sites a person works on and how far each assessment has got."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from checklists.selectors.sites import home_for


@login_required
def my_sites(request: HttpRequest) -> HttpResponse:
    """Each site the person belongs to, their role there, and how far each assessment has got."""
    return render(request, "home.html", home_for(user=request.user))

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from checklists.selectors import home_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Takes each person to what their roles let them do."""
    return render(request, "home.html", home_for(user=request.user))

"""The page of a person's e-mail preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from checklists.forms.preferences import PreferencesForm
from checklists.models import NotificationPreference
from checklists.services.preferences import preferences_save


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    chosen = dict(NotificationPreference.objects.filter(user=request.user).values_list("category", "frequency"))
    initial = {c: chosen.get(c, NotificationPreference.Frequency.IMMEDIATE) for c in NotificationPreference.Category}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        preferences_save(user=request.user, frequencies=form.cleaned_data)
        messages.success(request, "Your e-mail preferences have been saved.")
        return redirect("partnership:preferences")
    return render(request, "partnership/preferences.html", {"form": form})

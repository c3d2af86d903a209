"""Rounds compared: two rounds of a site side by side, item by item (a GET form chooses them; no JavaScript)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from checklists.forms.rounds import RoundsCompareForm
from checklists.selectors.access import site_for
from checklists.selectors.rounds import compare_rounds, default_pair, site_rounds


@login_required
@require_GET
def compare(request: HttpRequest, code: str) -> HttpResponse:
    """The latest round against the one before, or the two chosen; anyone who may see the site may see this."""
    site, role = site_for(request.user, code)
    rounds = site_rounds(site=site)
    if "older" in request.GET or "newer" in request.GET:
        form = RoundsCompareForm(request.GET, rounds=rounds)
        pair = form.pair()  # None when the choice is not valid: the form says what to fix
    else:
        pair = default_pair(rounds)
        initial = {"older": pair[0].pk, "newer": pair[1].pk} if pair else {}
        form = RoundsCompareForm(initial=initial, rounds=rounds)
    comparison = compare_rounds(older=pair[0], newer=pair[1]) if pair else None
    only_changed = request.GET.get("changed") == "on"
    rows = comparison.rows if comparison else []
    return render(
        request,
        "partnership/rounds_compare.html",
        {
            "site": site,
            "role": role,
            "rounds": rounds,
            "form": form,
            "comparison": comparison,
            "only_changed": only_changed,
            "rows": [row for row in rows if row.is_changed] if only_changed else rows,
            "sides": (
                [(comparison.older, comparison.older_readiness), (comparison.newer, comparison.newer_readiness)]
                if comparison
                else []
            ),
        },
    )

"""The activity page of a site: what happened, newest first; for a union rep, what changed since their last visit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render

from checklists.selectors.access import site_for
from checklists.selectors.activity import activity_for_site
from checklists.services.activity import site_visit_touch
from checklists.views import READ_METHODS
from phb_readiness.sites.models import SiteRole


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
            last_seen_at = site_visit_touch(user=request.user, site=site)
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

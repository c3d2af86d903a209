"""The inbox page: everything the service told the person, marked read once shown."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from phb_readiness.inbox.selectors import inbox_page
from phb_readiness.inbox.services import inbox_mark_read


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = inbox_page(request.user, request.GET.get("page"))
    unread = [message.pk for message in page.object_list if message.read_at is None]
    if unread:
        marked = inbox_mark_read(user=request.user, ids=unread)
        # The header's count was read with the person, before this page marked them.
        request.user.inbox_unread = max(0, getattr(request.user, "inbox_unread", 0) - marked)
    return render(request, "inbox/list.html", {"page": page, "unread": set(unread)})

"""Reads of the inbox: a person's messages, newest first, a page at a time."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from phb_readiness.inbox.models import InboxMessage

PAGE_SIZE = 25


def inbox_page(user, page_number) -> Page:
    """One page of the person's messages (two queries: the count and the page), each with `path`: its link within
    the service, so the page works whatever address it is reached by."""
    messages = InboxMessage.objects.filter(user=user).select_related("site").order_by("-created_at", "-pk")
    page = Paginator(messages, PAGE_SIZE).get_page(page_number)
    base = settings.PHB_BASE_URL.rstrip("/")
    for message in page.object_list:
        message.path = message.link.removeprefix(base) or message.link
    return page


def unread_count() -> Coalesce:
    """The signed-in person's unread messages, as an annotation on the person's own query (no query of its own)."""
    counted = (
        InboxMessage.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
